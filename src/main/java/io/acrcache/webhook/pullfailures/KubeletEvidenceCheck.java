package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.vertx.core.Future;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Checks a kubelet-shaped Event against the Pod it names before the registry guard hears it. Anyone who may create
 * Events in a namespace can write one; only the Pod's node's kubelet may write the Pod's status. So a failure counts
 * only when the Pod exists, carries the webhook's original-images record for that container, runs on the node the Event
 * names, and its own status shows that image waiting with {@code ErrImagePull} or {@code ImagePullBackOff}.
 *
 * <p>Bounded, so a flood of forged Events cannot make the webhook hammer the API server: answers are remembered per
 * (Pod, container, image, node), a confirmation for {@link #VERIFIED_TTL} and a refusal for the shorter
 * {@link #REFUSED_TTL} (a Pod's status may trail its Event by a moment); at most {@link #MAX_CHECKS_PER_MINUTE} Pod
 * reads a minute, and failures past the cap are not counted.
 */
final class KubeletEvidenceCheck {
    static final int MAX_CHECKS_PER_MINUTE = 60;
    static final Duration VERIFIED_TTL = Duration.ofSeconds(60);
    static final Duration REFUSED_TTL = Duration.ofSeconds(10);
    static final int MAX_REMEMBERED = 1024;
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Set<String> PULL_ERRORS = Set.of("ErrImagePull", "ImagePullBackOff");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Logger LOG = Logger.getLogger(KubeletEvidenceCheck.class.getName());

    /** What the check found; the label is the metric's, so the set stays fixed. */
    enum Result {
        VERIFIED,
        /** The Event names no container or no node: nothing to check it against. */
        INCOMPLETE,
        NO_POD,
        /** The Pod has no original-images record for the container: the webhook did not rewrite it. */
        NOT_REWRITTEN,
        /** The Pod is scheduled on another node than the one the Event names. */
        OTHER_NODE,
        /** The Pod's status does not show the image waiting on a pull error. */
        STATUS_DISAGREES,
        /** Over {@link #MAX_CHECKS_PER_MINUTE}: not checked, not counted. */
        RATE_CAPPED,
        /** The Pod could not be read (no RBAC, API server unreachable). */
        API_ERROR;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Reads a Pod off the event loop; completes with null when it does not exist. */
    @FunctionalInterface
    interface Pods {
        Future<Pod> get(String namespace, String name);
    }

    private record Key(String namespace, String pod, String container, String image, String node) {}

    private record Remembered(Result result, Instant until) {}

    private final Pods pods;
    private final Clock clock;
    private final Map<Key, Remembered> memory = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Remembered> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private Instant windowStart = Instant.MIN;
    private int checksInWindow;
    private Instant lastErrorLogged = Instant.MIN;

    KubeletEvidenceCheck(Pods pods, Clock clock) {
        this.pods = pods;
        this.clock = clock;
    }

    /** Whether the failure is the kubelet's own; never fails. */
    Future<Result> check(PullFailure f) {
        if (f.namespace() == null || f.pod() == null || f.container() == null || f.node() == null) {
            return Future.succeededFuture(Result.INCOMPLETE);
        }
        Key key = new Key(f.namespace(), f.pod(), f.container(), f.image(), f.node());
        Instant now = clock.instant();
        synchronized (this) {
            Remembered r = memory.get(key);
            if (r != null && now.isBefore(r.until())) {
                return Future.succeededFuture(r.result());
            }
            if (!permit(now)) {
                return Future.succeededFuture(Result.RATE_CAPPED);
            }
        }
        Future<Pod> read;
        try {
            read = pods.get(f.namespace(), f.pod());
        } catch (RuntimeException e) {
            read = Future.failedFuture(e);
        }
        return read.map(pod -> remember(key, judge(pod, f))).otherwise(e -> {
            logError(e);
            return Result.API_ERROR; // not remembered: the next Event asks again
        });
    }

    /** Whether this Pod, as read from the API server, bears the failure out. */
    static Result judge(Pod pod, PullFailure f) {
        if (pod == null || pod.getSpec() == null) {
            return Result.NO_POD;
        }
        String field = containerField(pod.getSpec(), f.container());
        if (field == null || !recorded(pod, field + "/" + f.container())) {
            return Result.NOT_REWRITTEN;
        }
        if (!f.node().equals(pod.getSpec().getNodeName())) {
            return Result.OTHER_NODE;
        }
        return waitingOnPull(statuses(pod.getStatus(), field), f.container(), f.image())
                ? Result.VERIFIED
                : Result.STATUS_DISAGREES;
    }

    private synchronized Result remember(Key key, Result result) {
        Duration ttl = result == Result.VERIFIED ? VERIFIED_TTL : REFUSED_TTL;
        memory.put(key, new Remembered(result, clock.instant().plus(ttl)));
        return result;
    }

    private boolean permit(Instant now) {
        if (!now.isBefore(windowStart.plus(MINUTE))) {
            windowStart = now;
            checksInWindow = 0;
        }
        if (checksInWindow >= MAX_CHECKS_PER_MINUTE) {
            return false;
        }
        checksInWindow++;
        return true;
    }

    /** One line a minute at most: with no RBAC on Pods every check fails the same way. */
    private void logError(Throwable e) {
        Instant now = clock.instant();
        synchronized (this) {
            if (now.isBefore(lastErrorLogged.plus(MINUTE))) {
                return;
            }
            lastErrorLogged = now;
        }
        LOG.warning("pull-failure report: cannot read a Pod to confirm a kubelet pull failure, so the registry guard"
                + " does not hear it (the chart grants get on pods with pullFailures.enabled): "
                + EventWatcher.describe(e));
    }

    /** The spec list ({@code containers}, ...) holding the named container; names are unique across all three. */
    private static String containerField(PodSpec spec, String name) {
        if (named(spec.getContainers(), name)) {
            return "containers";
        }
        if (named(spec.getInitContainers(), name)) {
            return "initContainers";
        }
        List<EphemeralContainer> ephemeral = spec.getEphemeralContainers();
        if (ephemeral != null && ephemeral.stream().anyMatch(c -> name.equals(c.getName()))) {
            return "ephemeralContainers";
        }
        return null;
    }

    private static boolean named(List<Container> containers, String name) {
        return containers != null && containers.stream().anyMatch(c -> name.equals(c.getName()));
    }

    /** Whether the Pod's original-images record has this key ({@code containers/app}). */
    private static boolean recorded(Pod pod, String key) {
        Map<String, String> annotations =
                pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
        String record = annotations == null ? null : annotations.get(AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION);
        if (record == null) {
            return false;
        }
        try {
            JsonNode node = JSON.readTree(record);
            return node.isObject() && node.path(key).isString();
        } catch (JacksonException e) {
            return false;
        }
    }

    private static List<ContainerStatus> statuses(PodStatus status, String field) {
        if (status == null) {
            return null;
        }
        return switch (field) {
            case "containers" -> status.getContainerStatuses();
            case "initContainers" -> status.getInitContainerStatuses();
            default -> status.getEphemeralContainerStatuses();
        };
    }

    private static boolean waitingOnPull(List<ContainerStatus> statuses, String container, String image) {
        if (statuses == null) {
            return false;
        }
        for (ContainerStatus s : statuses) {
            if (container.equals(s.getName())
                    && image.equals(s.getImage())
                    && s.getState() != null
                    && s.getState().getWaiting() != null
                    && PULL_ERRORS.contains(s.getState().getWaiting().getReason())) {
                return true;
            }
        }
        return false;
    }
}

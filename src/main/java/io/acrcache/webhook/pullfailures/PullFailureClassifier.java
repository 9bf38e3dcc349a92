package io.acrcache.webhook.pullfailures;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventSeries;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReference;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises kubelet Events about failed image pulls and whether the registry rate-limited them. Pure and thread-safe:
 * the patterns are compiled once, and nothing here talks to the API server.
 *
 * <p>Only Events that name an image count: {@code Failed} with {@code Failed to pull image "..."} and {@code BackOff}
 * with {@code Back-off pulling image "..."} (newer kubelets append the last error there). The follow-up {@code Error:
 * ErrImagePull} / {@code Error: ImagePullBackOff} Events name no image and are skipped, so one failure is not counted
 * twice.
 */
public final class PullFailureClassifier {
    static final String REASON_FAILED = "Failed";
    static final String REASON_BACK_OFF = "BackOff";

    private static final Pattern FAILED_TO_PULL =
            Pattern.compile("^\\s*Failed to pull image \"([^\"]+)\"(?::\\s*(.*))?$", Pattern.DOTALL);
    private static final Pattern BACK_OFF_PULLING =
            Pattern.compile("^\\s*Back-off pulling image \"([^\"]+)\"(?::\\s*(.*))?$", Pattern.DOTALL);
    private static final Pattern FIELD_PATH =
            Pattern.compile("^spec\\.(?:containers|initContainers|ephemeralContainers)\\{([^}]+)\\}$");

    /**
     * Every wording of a registry's rate limit seen from the runtimes: Docker and CRI-O relay the registry's
     * {@code toomanyrequests} error code, containerd adds the HTTP status ({@code 429 Too Many Requests}), a throttled
     * token endpoint gives only the status, and the ACR's cache says {@code too many requests to source registry}.
     * Case-insensitive, since runtimes and registries disagree on capitals.
     */
    private static final Pattern RATE_LIMITED = Pattern.compile(
            "toomanyrequests|too many requests|pull rate limit|rate limit exceeded|(?:status|code)(?: code)?[ :=]*429\\b",
            Pattern.CASE_INSENSITIVE);

    private PullFailureClassifier() {}

    /**
     * The pull failure this Event reports, or empty when it is about something else.
     *
     * @param fallbackTime used when the Event carries no timestamp at all
     */
    public static Optional<PullFailure> classify(Event event, Instant fallbackTime) {
        if (event == null || event.getMessage() == null) {
            return Optional.empty();
        }
        String reason = event.getReason();
        Matcher m;
        if (REASON_FAILED.equals(reason)) {
            m = FAILED_TO_PULL.matcher(event.getMessage());
        } else if (REASON_BACK_OFF.equals(reason)) {
            m = BACK_OFF_PULLING.matcher(event.getMessage());
        } else {
            return Optional.empty();
        }
        if (!m.matches()) {
            return Optional.empty();
        }
        ObjectReference involved = event.getInvolvedObject();
        if (involved == null || (involved.getKind() != null && !"Pod".equals(involved.getKind()))) {
            return Optional.empty();
        }
        String image = m.group(1).trim();
        String error = m.group(2) == null ? "" : m.group(2);
        String namespace = event.getMetadata() != null && event.getMetadata().getNamespace() != null
                ? event.getMetadata().getNamespace()
                : involved.getNamespace();
        String uid = event.getMetadata() != null && event.getMetadata().getUid() != null
                ? event.getMetadata().getUid()
                : eventKey(event);
        Instant last = lastSeen(event, fallbackTime);
        Instant first = firstSeen(event, last);
        return Optional.of(new PullFailure(
                uid,
                namespace,
                involved.getName(),
                container(involved.getFieldPath()),
                node(event),
                image,
                event.getMessage(),
                isRateLimited(error),
                count(event),
                first.isAfter(last) ? last : first,
                last));
    }

    /** Whether an error text is a registry's rate limit, in any runtime's wording. */
    public static boolean isRateLimited(String error) {
        return error != null && RATE_LIMITED.matcher(error).find();
    }

    /** The container named by a field path such as {@code spec.initContainers{setup}}, or null. */
    static String container(String fieldPath) {
        if (fieldPath == null) {
            return null;
        }
        Matcher m = FIELD_PATH.matcher(fieldPath);
        return m.matches() ? m.group(1) : null;
    }

    private static String node(Event event) {
        if (event.getSource() != null && notBlank(event.getSource().getHost())) {
            return event.getSource().getHost();
        }
        return notBlank(event.getReportingInstance()) ? event.getReportingInstance() : null;
    }

    /** The kubelet bumps {@code count} on repeats; the events.k8s.io shape keeps it in the series. */
    private static int count(Event event) {
        EventSeries series = event.getSeries();
        if (series != null && series.getCount() != null && series.getCount() > 0) {
            return series.getCount();
        }
        Integer count = event.getCount();
        return count == null || count < 1 ? 1 : count;
    }

    private static Instant lastSeen(Event event, Instant fallback) {
        Instant t = parse(event.getLastTimestamp());
        if (t == null && event.getSeries() != null) {
            t = parse(event.getSeries().getLastObservedTime());
        }
        if (t == null) {
            t = parse(event.getEventTime());
        }
        if (t == null && event.getMetadata() != null) {
            t = parse(event.getMetadata().getCreationTimestamp());
        }
        return t == null ? fallback : t;
    }

    private static Instant firstSeen(Event event, Instant last) {
        Instant t = parse(event.getFirstTimestamp());
        if (t == null) {
            t = parse(event.getEventTime());
        }
        if (t == null && event.getMetadata() != null) {
            t = parse(event.getMetadata().getCreationTimestamp());
        }
        return t == null ? last : t;
    }

    private static Instant parse(MicroTime time) {
        return time == null ? null : parse(time.getTime());
    }

    private static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** An Event without a uid (never from a real API server) is keyed by namespace and name. */
    private static String eventKey(Event event) {
        return event.getMetadata() == null
                ? "?"
                : event.getMetadata().getNamespace() + "/" + event.getMetadata().getName();
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}

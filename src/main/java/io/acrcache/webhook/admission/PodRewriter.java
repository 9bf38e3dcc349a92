package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.image.ImageReference;
import io.acrcache.webhook.image.InvalidImageReferenceException;
import io.acrcache.webhook.rules.RuleMatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, image by image, what the webhook does to a Pod. Pure: reads the fields of the Pod it needs and the
 * configuration; changes nothing.
 */
public final class PodRewriter {
    private static final int MAX_NAME_LENGTH = 255;
    private static final ContainerKind[] ALL_KINDS = ContainerKind.values();

    private PodRewriter() {}

    /** Every image of a Pod being created. */
    public static PodPlan forCreate(LoadedConfig config, String namespace, PodView pod) {
        return plan(config, namespace, pod, null);
    }

    /**
     * An update of the {@code ephemeralcontainers} subresource (what {@code kubectl debug} sends): only ephemeral
     * containers that are new or whose image changed, since the others are immutable.
     */
    public static PodPlan forEphemeralUpdate(LoadedConfig config, String namespace, PodView pod, PodView oldPod) {
        Map<String, String> before = new HashMap<>();
        List<PodView.ContainerView> old = oldPod == null ? null : oldPod.containers(ContainerKind.EPHEMERAL_CONTAINERS);
        if (old != null) {
            for (PodView.ContainerView c : old) {
                before.put(c.name(), c.image() == null ? "" : c.image());
            }
        }
        return plan(config, namespace, pod, before);
    }

    private static PodPlan plan(
            LoadedConfig config, String namespace, PodView pod, Map<String, String> ephemeralBefore) {
        SkipReason podSkip = podSkip(config, namespace, pod);
        List<ImageDecision> decisions = new ArrayList<>(4);
        for (ContainerKind kind : ALL_KINDS) {
            if (ephemeralBefore != null && kind != ContainerKind.EPHEMERAL_CONTAINERS) {
                continue;
            }
            List<PodView.ContainerView> list = pod.containers(kind);
            if (list == null) {
                continue;
            }
            for (int i = 0; i < list.size(); i++) {
                PodView.ContainerView container = list.get(i);
                String image = container.image();
                if (ephemeralBefore != null && image != null && image.equals(ephemeralBefore.get(container.name()))) {
                    continue;
                }
                if (podSkip != null) {
                    decisions.add(ImageDecision.skip(kind, i, container.name(), image, podSkip));
                } else {
                    decisions.add(decide(config, kind, i, container));
                }
            }
        }
        return new PodPlan(decisions, podSkip);
    }

    private static SkipReason podSkip(LoadedConfig config, String namespace, PodView pod) {
        if (namespace != null && config.settings().excludedNamespaces().contains(namespace)) {
            return SkipReason.EXCLUDED_NAMESPACE;
        }
        if (pod.mirror()) {
            // the kubelet's API copy of a static Pod, whose spec must match the file on the node
            return SkipReason.MIRROR_POD;
        }
        if (pod.optOutValue() != null && pod.optOutValue().trim().equalsIgnoreCase("true")) {
            return SkipReason.OPTED_OUT;
        }
        return null;
    }

    private static ImageDecision decide(
            LoadedConfig config, ContainerKind kind, int index, PodView.ContainerView container) {
        String name = container.name();
        String image = container.image();
        if ("Never".equals(container.imagePullPolicy())) {
            // the image must already be on the node under exactly this name
            return ImageDecision.skip(kind, index, name, image, SkipReason.PULL_POLICY_NEVER);
        }
        ImageReference ref;
        try {
            ref = config.parser().parse(image);
        } catch (InvalidImageReferenceException e) {
            return ImageDecision.skip(kind, index, name, image, SkipReason.INVALID_REFERENCE);
        }
        String loginServer = config.settings().acrLoginServer();
        if (ref.registry().equalsIgnoreCase(loginServer)) {
            return ImageDecision.skip(kind, index, name, image, SkipReason.ALREADY_CACHED);
        }
        Optional<RuleMatch> match = config.ruleSet().match(ref);
        if (match.isEmpty()) {
            return ImageDecision.skip(kind, index, name, image, SkipReason.NO_RULE);
        }
        String target = match.get().targetRepository();
        if (loginServer.length() + 1 + target.length() > MAX_NAME_LENGTH) {
            return ImageDecision.skip(kind, index, name, image, SkipReason.TARGET_TOO_LONG);
        }
        return ImageDecision.rewrite(kind, index, name, image, ref.withName(loginServer, target), match.get());
    }
}

package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.rules.ImagePlanner;
import io.acrcache.webhook.rules.ImageTarget;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, image by image, what the webhook does to a Pod. Pure: reads the fields of the Pod it needs and the
 * configuration; changes nothing.
 */
public final class PodPlanner {
    private static final ContainerKind[] ALL_KINDS = ContainerKind.values();

    private PodPlanner() {}

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
        ImagePlanner images = new ImagePlanner(
                config.parser(), config.settings().acrLoginServer(), config.ruleSet(), config.exclusions());
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
                    decisions.add(ImageDecision.skip(kind, i, container.name(), image, null, podSkip));
                } else {
                    decisions.add(decide(images, kind, i, container));
                }
            }
        }
        // only a created Pod's record is checked: the ephemeral-containers subresource cannot change metadata
        OriginalImages brought = ephemeralBefore == null && podSkip == null ? OriginalImages.check(pod, images) : null;
        return new PodPlan(decisions, podSkip, brought);
    }

    private static SkipReason podSkip(LoadedConfig config, String namespace, PodView pod) {
        if (namespace != null && config.settings().excludedNamespaces().contains(namespace)) {
            return SkipReason.EXCLUDED_NAMESPACE;
        }
        if (pod.metadata().annotations().mirror()) {
            // the kubelet's API copy of a static Pod, whose spec must match the file on the node
            return SkipReason.MIRROR_POD;
        }
        String optOut = pod.metadata().annotations().optOutValue();
        if (optOut != null && optOut.trim().equalsIgnoreCase("true")) {
            return SkipReason.OPTED_OUT;
        }
        return null;
    }

    private static ImageDecision decide(
            ImagePlanner images, ContainerKind kind, int index, PodView.ContainerView container) {
        String name = container.name();
        String image = container.image();
        if ("Never".equals(container.imagePullPolicy())) {
            // the image must already be on the node under exactly this name
            return ImageDecision.skip(kind, index, name, image, null, SkipReason.PULL_POLICY_NEVER);
        }
        ImageTarget target = images.plan(image);
        if (target instanceof ImageTarget.Rewrite r) {
            return ImageDecision.rewrite(kind, index, container, r);
        }
        ImageTarget.Leave leave = (ImageTarget.Leave) target;
        return ImageDecision.skip(kind, index, name, image, leave.reference(), SkipReason.of(leave.miss()));
    }
}

package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.image.ImageReference;
import io.acrcache.webhook.image.InvalidImageReferenceException;
import io.acrcache.webhook.rules.RuleMatch;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, image by image, what the webhook does to a Pod. Pure: reads the Pod as a JSON tree (only
 * the fields it needs, no model binding) and the configuration; changes nothing.
 */
public final class PodRewriter {
    /** Set by the kubelet on the API copy of a static Pod, whose spec must match the file on the node. */
    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
    private static final int MAX_NAME_LENGTH = 255;
    private static final ContainerKind[] ALL_KINDS = ContainerKind.values();

    private PodRewriter() {
    }

    /** Every image of a Pod being created. */
    public static PodPlan forCreate(LoadedConfig config, String namespace, JsonNode pod) {
        return plan(config, namespace, pod, null);
    }

    /**
     * An update of the {@code ephemeralcontainers} subresource (what {@code kubectl debug} sends): only
     * ephemeral containers that are new or whose image changed, since the others are immutable.
     */
    public static PodPlan forEphemeralUpdate(LoadedConfig config, String namespace, JsonNode pod, JsonNode oldPod) {
        Map<String, String> before = new HashMap<>();
        JsonNode old = oldPod == null ? null : oldPod.path("spec").path(ContainerKind.EPHEMERAL_CONTAINERS.field());
        if (old != null && old.isArray()) {
            for (JsonNode c : old) {
                before.put(c.path("name").asString(""), c.path("image").asString(""));
            }
        }
        return plan(config, namespace, pod, before);
    }

    private static PodPlan plan(LoadedConfig config, String namespace, JsonNode pod, Map<String, String> ephemeralBefore) {
        SkipReason podSkip = podSkip(config, namespace, pod);
        List<ImageDecision> decisions = new ArrayList<>(4);
        JsonNode spec = pod.path("spec");
        for (ContainerKind kind : ALL_KINDS) {
            if (ephemeralBefore != null && kind != ContainerKind.EPHEMERAL_CONTAINERS) {
                continue;
            }
            JsonNode list = spec.path(kind.field());
            if (!list.isArray()) {
                continue;
            }
            for (int i = 0; i < list.size(); i++) {
                JsonNode container = list.get(i);
                String name = container.path("name").asString("");
                JsonNode imageNode = container.path("image");
                String image = imageNode.isString() ? imageNode.stringValue() : null;
                if (ephemeralBefore != null && image != null && image.equals(ephemeralBefore.get(name))) {
                    continue;
                }
                if (podSkip != null) {
                    decisions.add(ImageDecision.skip(kind, i, name, image, podSkip));
                } else {
                    decisions.add(decide(config, kind, i, name, image, container));
                }
            }
        }
        return new PodPlan(decisions, podSkip);
    }

    private static SkipReason podSkip(LoadedConfig config, String namespace, JsonNode pod) {
        if (namespace != null && config.settings().excludedNamespaces().contains(namespace)) {
            return SkipReason.EXCLUDED_NAMESPACE;
        }
        JsonNode annotations = pod.path("metadata").path("annotations");
        if (annotations.isObject()) {
            if (annotations.has(MIRROR_ANNOTATION)) {
                return SkipReason.MIRROR_POD;
            }
            JsonNode optOut = annotations.get(config.settings().optOutAnnotation());
            if (optOut != null && optOut.isString() && optOut.stringValue().trim().equalsIgnoreCase("true")) {
                return SkipReason.OPTED_OUT;
            }
        }
        return null;
    }

    private static ImageDecision decide(LoadedConfig config, ContainerKind kind, int index, String name, String image,
                                        JsonNode container) {
        if ("Never".equals(container.path("imagePullPolicy").asString(null))) {
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

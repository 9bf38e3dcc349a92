package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.image.ImageReference;
import io.acrcache.webhook.image.InvalidImageReferenceException;
import io.acrcache.webhook.rules.CompiledRule;
import io.acrcache.webhook.rules.RuleMatch;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Explains a rate-limited pull with the rules engine the webhook itself uses, so the report agrees with what admission
 * would have done. Pure: the caller passes the configuration in force.
 */
public final class FailureExplainer {
    static final String OTHER_REGISTRY = "other";
    static final String UNKNOWN_REGISTRY = "unknown";

    /** ACR's words when Docker Hub (or another upstream) throttled the cache rule itself. */
    private static final Pattern SOURCE_THROTTLED = Pattern.compile(
            "too many requests to (?:the )?source registry(?: for cache rule '([^']*)')?", Pattern.CASE_INSENSITIVE);

    private FailureExplainer() {}

    public static Explanation explain(String image, String namespace, String message, LoadedConfig config) {
        Settings settings = config.settings();
        ImageReference ref;
        try {
            ref = config.parser().parse(image);
        } catch (InvalidImageReferenceException e) {
            return new Explanation(
                    FailureCategory.NOT_COVERED,
                    OTHER_REGISTRY,
                    null,
                    "'" + image + "' is not a valid image reference: fix the image name in the Pod spec.");
        }
        if (ref.registry().equalsIgnoreCase(settings.acrLoginServer())) {
            return onRegistry(ref, message == null ? "" : message, config);
        }
        Optional<RuleMatch> match = config.ruleSet().match(ref);
        if (match.isEmpty()) {
            return new Explanation(
                    FailureCategory.NOT_COVERED,
                    boundedRegistry(ref.registry(), config),
                    null,
                    "No cache rule covers " + ref.name() + ": create an ACR cache rule for it and add it to the "
                            + "webhook's rules, so new Pods pull it through " + settings.acrLoginServer() + ".");
        }
        CompiledRule rule = match.get().rule();
        String rewritten = ref.withName(settings.acrLoginServer(), match.get().targetRepository());
        return new Explanation(
                FailureCategory.NOT_REWRITTEN,
                rule.upstream(),
                rule.name(),
                notRewrittenSuggestion(namespace, rule, rewritten, settings));
    }

    private static String notRewrittenSuggestion(
            String namespace, CompiledRule rule, String rewritten, Settings settings) {
        if (namespace != null && settings.excludedNamespaces().contains(namespace)) {
            return "Namespace '" + namespace + "' is in excludedNamespaces, so its Pods keep upstream images: name "
                    + rewritten + " in the spec, or take the namespace out of excludedNamespaces.";
        }
        if (settings.mode() == Mode.AUDIT) {
            return "The webhook runs in audit mode and patches nothing: set mode to enforce, then recreate the Pod "
                    + "to get " + rewritten + ".";
        }
        return "Rule '" + rule.name() + "' covers this image, yet the Pod names the upstream one: it was created "
                + "before the webhook was installed or while it was unreachable, or it carries the opt-out annotation '"
                + settings.optOutAnnotation() + "'. Recreate it (e.g. kubectl rollout restart) to get " + rewritten
                + ".";
    }

    private static Explanation onRegistry(ImageReference ref, String message, LoadedConfig config) {
        Matcher m = SOURCE_THROTTLED.matcher(message);
        if (m.find()) {
            String named = m.group(1) == null || m.group(1).isBlank() ? null : m.group(1);
            Optional<CompiledRule> rule = named != null ? byName(named, config) : byTarget(ref.repository(), config);
            // the webhook's own label for the rule where it knows it, else the ACR's name
            String ruleName = rule.map(CompiledRule::name).orElse(named);
            String upstream = rule.map(CompiledRule::upstream).orElse(UNKNOWN_REGISTRY);
            String which = named != null
                    ? "cache rule '" + named + "'"
                    : ruleName != null ? "cache rule " + ruleName : "its cache rule";
            return new Explanation(
                    FailureCategory.CACHE_UPSTREAM_THROTTLED,
                    upstream,
                    ruleName,
                    "The upstream registry throttles the ACR's anonymous pulls for " + which
                            + ": add a credential set (user name and access token in Key Vault) to the rule "
                            + "(az acr credential-set create, then az acr cache update --cred-set).");
        }
        Optional<CompiledRule> rule = byTarget(ref.repository(), config);
        return new Explanation(
                FailureCategory.REGISTRY_THROTTLED,
                rule.map(CompiledRule::upstream).orElse(UNKNOWN_REGISTRY),
                rule.map(CompiledRule::name).orElse(null),
                config.settings().acrLoginServer() + " itself answered 429: its SKU's throughput is used up; "
                        + "stagger rollouts that pull the same image on many nodes, or move the registry to a higher SKU.");
    }

    /** The rule whose target holds this repository of the registry: a static rule first, as in ACR. */
    static Optional<CompiledRule> byTarget(String repository, LoadedConfig config) {
        CompiledRule wildcard = null;
        for (CompiledRule rule : config.ruleSet().rules()) {
            if (!rule.wildcard()) {
                if (rule.targetPath().equals(repository)) {
                    return Optional.of(rule);
                }
            } else if (rule.targetPath().isEmpty() || repository.startsWith(rule.targetPath() + "/")) {
                wildcard = rule;
            }
        }
        return Optional.ofNullable(wildcard);
    }

    /** The rule the ACR names: imported rules keep their ACR names. */
    private static Optional<CompiledRule> byName(String name, LoadedConfig config) {
        return config.ruleSet().rules().stream()
                .filter(r -> r.name().equals(name))
                .findFirst();
    }

    /**
     * Registry hosts come from Pod specs, so any string could appear; only Docker Hub and the rules' sources (at most
     * 1,000) are kept as metric labels.
     */
    private static String boundedRegistry(String registry, LoadedConfig config) {
        if (ImageReference.DOCKER_HUB.equals(registry)) {
            return registry;
        }
        for (CompiledRule rule : config.ruleSet().rules()) {
            if (rule.upstream().equals(registry)) {
                return registry;
            }
        }
        return OTHER_REGISTRY;
    }
}

package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.image.ImageReference;
import io.acrcache.webhook.rules.CompiledRule;
import io.acrcache.webhook.rules.ImagePlanner;
import io.acrcache.webhook.rules.ImageTarget;
import io.acrcache.webhook.rules.RuleMatch;

import java.util.Locale;
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

    /** The cache rule's request upstream failed: 424, or ACR's words about the source registry or the rule. */
    private static final Pattern UPSTREAM_FAILED = Pattern.compile(
            "\\b424\\b|failed dependency|request to pull from (?:the )?source|source registry|for cache rule",
            Pattern.CASE_INSENSITIVE);
    /** The registry refused the pull's credentials. */
    private static final Pattern UNAUTHORIZED = Pattern.compile(
            "\\b401\\b|\\b403\\b|unauthorized|forbidden|authentication required|access denied|denied:",
            Pattern.CASE_INSENSITIVE);
    /** The registry does not have the manifest. */
    private static final Pattern NOT_FOUND =
            Pattern.compile("manifest unknown|\\bnot found\\b|\\b404\\b|name unknown", Pattern.CASE_INSENSITIVE);

    /** A layer's URL on a registry ({@code https://<host>/v2/<repository>/blobs/sha256:...}), host in group 1. */
    private static final Pattern BLOB_URL =
            Pattern.compile("https?://([^/\\s\"]+)/[^\\s\"]*/blobs/sha256:[0-9a-f]+", Pattern.CASE_INSENSITIVE);
    /** How a layer fails on the registry's side: a 5xx, or no answer in time. */
    private static final Pattern BLOB_FAILURE = Pattern.compile(
            "\\b5\\d\\d\\b|timeout|timed out|connection reset|unexpected EOF", Pattern.CASE_INSENSITIVE);

    private FailureExplainer() {}

    /**
     * A pull of an image on the ACR login server that failed for another reason than rate limiting, when the message
     * says which: the cache lacks the image, refused the node, or failed to fetch it upstream. Empty for any other
     * image or message (a network error on the node, say), which the report does not explain.
     */
    public static Optional<Explanation> onLoginServer(String image, String message, LoadedConfig config) {
        ImageTarget target =
                new ImagePlanner(config.parser(), config.settings().acrLoginServer(), config.ruleSet()).plan(image);
        if (!(target instanceof ImageTarget.Leave l) || l.miss() != ImageTarget.Miss.ALREADY_CACHED) {
            return Optional.empty();
        }
        String text = message == null ? "" : message;
        Optional<CompiledRule> rule = config.ruleSet().byTarget(l.reference().repository());
        String ruleName = rule.map(CompiledRule::name).orElse(null);
        String upstream = rule.map(CompiledRule::upstream).orElse(UNKNOWN_REGISTRY);
        String which = ruleName == null ? "no cache rule of the webhook" : "cache rule '" + ruleName + "'";
        String login = config.settings().acrLoginServer();
        FailureCategory category;
        String advice;
        if (UPSTREAM_FAILED.matcher(text).find()) {
            category = FailureCategory.CACHE_UPSTREAM_FAILED;
            advice = login + " could not fetch the image from the upstream registry for " + which + ": check the"
                    + " rule's credential set (az acr credential-set show: is it Healthy, can the registry read its"
                    + " Key Vault secrets?) and that the upstream image exists. The registry guard leaves this"
                    + " image as written for new Pods.";
        } else if (isBlobFailure(text, login)) {
            category = FailureCategory.CACHE_BLOB_FAILED;
            advice = login + " resolved the image but failed serving one of its layers (a 5xx or a timeout on a"
                    + " blob); ACR does this for a while on freshly cached tags (Azure/acr#876): pin a digest or a"
                    + " tag cached earlier, or retry later. The registry guard stops rewriting to " + which
                    + " while Pods on several nodes keep failing.";
        } else if (UNAUTHORIZED.matcher(text).find()) {
            category = FailureCategory.CACHE_UNAUTHORIZED;
            advice = login + " refused the node's credentials: grant the cluster's kubelet identity AcrPull on the"
                    + " registry (az aks update --attach-acr), or give the Pod an imagePullSecret for it.";
        } else if (NOT_FOUND.matcher(text).find()) {
            category = FailureCategory.CACHE_NOT_FOUND;
            advice = login + " has no such image under " + which + ": check the tag exists upstream and that the"
                    + " rule still exists with that name (az acr cache list). The registry guard leaves"
                    + " this image as written for new Pods.";
        } else {
            return Optional.empty();
        }
        return Optional.of(new Explanation(category, upstream, ruleName, advice));
    }

    /**
     * Whether the text says a layer failed on the login server (or its data endpoint,
     * {@code <name>.<region>.data.azurecr.io}, where ACR redirects blob reads) with a 5xx or a timeout after the URL.
     */
    static boolean isBlobFailure(String text, String login) {
        Matcher m = BLOB_URL.matcher(text);
        while (m.find()) {
            String host = m.group(1).toLowerCase(Locale.ROOT);
            String name = login.toLowerCase(Locale.ROOT).split("\\.", 2)[0];
            boolean ours = host.equals(login.toLowerCase(Locale.ROOT))
                    || (host.startsWith(name + ".") && host.endsWith(".data.azurecr.io"));
            if (ours && BLOB_FAILURE.matcher(text.substring(m.end())).find()) {
                return true;
            }
        }
        return false;
    }

    public static Explanation explain(String image, String namespace, String message, LoadedConfig config) {
        Settings settings = config.settings();
        ImagePlanner planner =
                new ImagePlanner(config.parser(), settings.acrLoginServer(), config.ruleSet(), config.exclusions());
        ImageTarget target = planner.plan(image);
        if (target instanceof ImageTarget.Rewrite r) {
            return notRewritten(r.match(), r.rewritten(), namespace, settings);
        }
        ImageTarget.Leave l = (ImageTarget.Leave) target;
        return switch (l.miss()) {
            case INVALID_REFERENCE ->
                new Explanation(
                        FailureCategory.NOT_COVERED,
                        OTHER_REGISTRY,
                        null,
                        "'" + image + "' is not a valid image reference: fix the image name in the Pod spec.");
            case ALREADY_CACHED -> onRegistry(l.reference(), message == null ? "" : message, config);
            case EXCLUDED_IMAGE ->
                new Explanation(
                        FailureCategory.NOT_REWRITTEN,
                        boundedRegistry(l.reference().registry(), config),
                        null,
                        l.reference().canonical() + " matches excludeImages, so it is never rewritten: take it out of"
                                + " excludeImages, or pull it through " + settings.acrLoginServer() + " by name.");
            case NO_RULE ->
                new Explanation(
                        FailureCategory.NOT_COVERED,
                        boundedRegistry(l.reference().registry(), config),
                        null,
                        "No cache rule covers " + l.reference().name() + ": create an ACR cache rule for it and add it "
                                + "to the webhook's rules, so new Pods pull it through " + settings.acrLoginServer()
                                + ".");
            // covered, so the report names the rewrite admission would have tried
            case TARGET_TOO_LONG ->
                notRewritten(
                        l.match(),
                        l.reference()
                                .withName(settings.acrLoginServer(), l.match().targetRepository()),
                        namespace,
                        settings);
        };
    }

    private static Explanation notRewritten(RuleMatch match, String rewritten, String namespace, Settings settings) {
        CompiledRule rule = match.rule();
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
            Optional<CompiledRule> rule = named != null
                    ? config.ruleSet().byName(named)
                    : config.ruleSet().byTarget(ref.repository());
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
        Optional<CompiledRule> rule = config.ruleSet().byTarget(ref.repository());
        return new Explanation(
                FailureCategory.REGISTRY_THROTTLED,
                rule.map(CompiledRule::upstream).orElse(UNKNOWN_REGISTRY),
                rule.map(CompiledRule::name).orElse(null),
                config.settings().acrLoginServer() + " itself answered 429: its SKU's throughput is used up; "
                        + "stagger rollouts that pull the same image on many nodes, or move the registry to a higher SKU.");
    }

    /**
     * Registry hosts come from Pod specs, so any string could appear; only Docker Hub and the rules' sources (at most
     * 1,000) are kept as metric labels.
     */
    private static String boundedRegistry(String registry, LoadedConfig config) {
        return ImageReference.DOCKER_HUB.equals(registry) || config.ruleSet().hasUpstream(registry)
                ? registry
                : OTHER_REGISTRY;
    }
}

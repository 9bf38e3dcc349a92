package io.acrcache.webhook.rules;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.image.ImageReference;
import io.acrcache.webhook.image.ImageReferenceParser;
import io.acrcache.webhook.image.InvalidImageReferenceException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A validated set of ACR cache rules, indexed for matching. Semantics follow ACR: a static rule covers exactly one
 * repository and beats a wildcard; wildcard rules may not overlap, so at most one wildcard can cover a repository and
 * the order of rules never matters.
 */
public final class RuleSet {
    private final List<CompiledRule> rules;
    private final Map<String, Map<String, CompiledRule>> staticBySourceRegistry;
    private final Map<String, List<CompiledRule>> wildcardsBySourceRegistry;

    private RuleSet(List<CompiledRule> rules) {
        this.rules = List.copyOf(rules);
        Map<String, Map<String, CompiledRule>> statics = new HashMap<>();
        Map<String, List<CompiledRule>> wildcards = new HashMap<>();
        for (CompiledRule rule : rules) {
            if (rule.wildcard()) {
                wildcards
                        .computeIfAbsent(rule.sourceRegistry(), k -> new ArrayList<>())
                        .add(rule);
            } else {
                statics.computeIfAbsent(rule.sourceRegistry(), k -> new HashMap<>())
                        .put(rule.sourcePath(), rule);
            }
        }
        wildcards.replaceAll((k, v) -> List.copyOf(v));
        this.staticBySourceRegistry = Map.copyOf(statics);
        this.wildcardsBySourceRegistry = Map.copyOf(wildcards);
    }

    /**
     * Rules known to be valid (tests, benchmarks, rules built in code).
     *
     * @throws IllegalArgumentException listing every problem; a configuration is checked with {@link #compile(List,
     *     DockerHubHosts, List)}, whose problems become configuration errors
     */
    public static RuleSet compile(List<CacheRule> rules, DockerHubHosts hubs) {
        List<String> errors = new ArrayList<>();
        RuleSet set = compile(rules, hubs, errors);
        if (set == null) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return set;
    }

    /**
     * Validates every rule, collecting all problems (each naming the rule and the field) before refusing the set.
     *
     * @param errors receives every problem
     * @return the set, or null when there was any problem
     */
    public static RuleSet compile(List<CacheRule> rules, DockerHubHosts hubs, List<String> errors) {
        int before = errors.size();
        ImageReferenceParser parser = new ImageReferenceParser(hubs);
        List<CompiledRule> compiled = new ArrayList<>();
        for (CacheRule rule : rules) {
            CompiledRule c = compileOne(rule, parser, hubs, errors);
            if (c != null) {
                compiled.add(c);
            }
        }
        checkConflicts(compiled, errors);
        if (errors.size() > before) {
            return null;
        }
        return new RuleSet(compiled);
    }

    /** The rule covering a parsed image, if any; a static rule first, then the one wildcard. */
    public Optional<RuleMatch> match(ImageReference image) {
        Map<String, CompiledRule> statics = staticBySourceRegistry.get(image.registry());
        if (statics != null) {
            CompiledRule rule = statics.get(image.repository());
            if (rule != null) {
                return Optional.of(new RuleMatch(rule, rule.targetPath()));
            }
        }
        List<CompiledRule> wildcards = wildcardsBySourceRegistry.get(image.registry());
        if (wildcards != null) {
            for (CompiledRule rule : wildcards) {
                if (rule.covers(image.repository())) {
                    return Optional.of(new RuleMatch(rule, rule.targetFor(image.repository())));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The rule whose target holds this repository of the registry (the reverse of {@link #match}): a static rule first,
     * as in ACR, then a wildcard whose target prefix holds it.
     */
    public Optional<CompiledRule> byTarget(String repository) {
        CompiledRule wildcard = null;
        for (CompiledRule rule : rules) {
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

    /** The rule of this name (imported rules keep their ACR names). */
    public Optional<CompiledRule> byName(String name) {
        for (CompiledRule rule : rules) {
            if (rule.name().equals(name)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    /** Whether some rule pulls from this upstream registry. */
    public boolean hasUpstream(String registry) {
        for (CompiledRule rule : rules) {
            if (rule.upstream().equals(registry)) {
                return true;
            }
        }
        return false;
    }

    public List<CompiledRule> rules() {
        return rules;
    }

    public int size() {
        return rules.size();
    }

    private static CompiledRule compileOne(
            CacheRule rule, ImageReferenceParser parser, DockerHubHosts hubs, List<String> errors) {
        String where = "rule " + rule.name() + ": ";
        boolean missing = false;
        if (rule.source() == null || rule.source().isBlank()) {
            errors.add(where + "source is missing");
            missing = true;
        }
        if (rule.target() == null || rule.target().isBlank()) {
            errors.add(where + "target is missing");
            missing = true;
        }
        if (missing) {
            return null;
        }
        try {
            boolean wildcard = wildcard(rule.source(), rule.target());
            String source = rule.source();
            int slash = registryEnd(source);
            String registry = sourceRegistry(source.substring(0, slash), hubs);
            String sourcePath = wildcard ? wildcardSourcePath(source, slash, parser) : staticSourcePath(source, parser);
            String targetPath = targetPath(rule.target(), wildcard, parser);
            return new CompiledRule(rule, registry, sourcePath, targetPath, wildcard);
        } catch (InvalidRule e) {
            errors.add(where + e.getMessage());
            return null;
        }
    }

    /** One problem with one rule; a rule is checked until its first problem. */
    private static final class InvalidRule extends Exception {
        InvalidRule(String message) {
            super(message, null, false, false);
        }
    }

    private static boolean wildcard(String source, String target) throws InvalidRule {
        boolean sourceWildcard = source.endsWith("/*");
        boolean targetWildcard = target.equals("*") || target.endsWith("/*");
        if (sourceWildcard != targetWildcard) {
            throw new InvalidRule("source '" + source + "' and target '" + target
                    + "' must both be wildcards (ending in /*) or both be static repositories");
        }
        return sourceWildcard;
    }

    private static int registryEnd(String source) throws InvalidRule {
        int slash = source.indexOf('/');
        if (slash <= 0) {
            throw new InvalidRule("source '" + source
                    + "' must name a registry and a repository, e.g. docker.io/library/nginx or docker.io/*");
        }
        return slash;
    }

    private static String sourceRegistry(String host, DockerHubHosts hubs) throws InvalidRule {
        if (!host.equals(host.toLowerCase(Locale.ROOT)) || host.indexOf('.') < 0 && !host.startsWith("localhost")) {
            throw new InvalidRule("source registry '" + host + "' must be a lowercase host name such as docker.io");
        }
        return hubs.isDockerHub(host) ? ImageReference.DOCKER_HUB : host;
    }

    /** The prefix before {@code /*}, empty for a whole registry. */
    private static String wildcardSourcePath(String source, int slash, ImageReferenceParser parser) throws InvalidRule {
        String prefix = source.substring(slash + 1, source.length() - 1);
        String path = prefix.isEmpty() ? "" : validPath(prefix.substring(0, prefix.length() - 1), parser);
        if (path == null) {
            throw new InvalidRule("source '" + source + "' has an invalid repository path before /*");
        }
        return path;
    }

    private static String staticSourcePath(String source, ImageReferenceParser parser) throws InvalidRule {
        ImageReference ref;
        try {
            ref = parser.parse(source);
        } catch (InvalidImageReferenceException e) {
            throw new InvalidRule("source '" + source + "' is not a valid repository: " + e.getMessage());
        }
        if (ref.tag() != null || ref.digest() != null) {
            throw new InvalidRule("source '" + source + "' must be a repository without tag or digest");
        }
        return ref.repository();
    }

    private static String targetPath(String target, boolean wildcard, ImageReferenceParser parser) throws InvalidRule {
        String path;
        if (!wildcard) {
            path = validPath(target, parser);
        } else {
            path = target.equals("*") ? "" : validPath(target.substring(0, target.length() - 2), parser);
        }
        if (path == null) {
            throw new InvalidRule("target '" + target
                    + "' must be a lowercase repository path in the registry, e.g. docker/* or nginx");
        }
        return path;
    }

    /**
     * Checks a bare repository path with the image grammar itself: under a registry that is not Docker Hub the parser
     * neither adds {@code library/} nor accepts a tag-free path that breaks a component rule, so one grammar serves
     * images and rules alike.
     */
    private static String validPath(String path, ImageReferenceParser parser) {
        if (path.isEmpty() || path.indexOf(':') >= 0 || path.indexOf('@') >= 0) {
            return null;
        }
        try {
            ImageReference ref = parser.parse("localhost/" + path);
            return ref.repository().equals(path) ? path : null;
        } catch (InvalidImageReferenceException e) {
            return null;
        }
    }

    private static void checkConflicts(List<CompiledRule> rules, List<String> errors) {
        for (int i = 0; i < rules.size(); i++) {
            CompiledRule a = rules.get(i);
            for (int j = i + 1; j < rules.size(); j++) {
                CompiledRule b = rules.get(j);
                String pair = "rules " + a.name() + " and " + b.name();
                if (a.wildcard() && b.wildcard()) {
                    if (a.sourceRegistry().equals(b.sourceRegistry()) && nested(a.sourcePath(), b.sourcePath())) {
                        errors.add(pair + ": wildcard sources '" + a.rule().source() + "' and '"
                                + b.rule().source() + "' overlap (ACR refuses overlapping wildcard rules)");
                    }
                    if (nested(a.targetPath(), b.targetPath())) {
                        errors.add(pair + ": wildcard targets '" + a.rule().target() + "' and '"
                                + b.rule().target() + "' overlap (ACR refuses overlapping wildcard rules)");
                    }
                } else if (!a.wildcard() && !b.wildcard()) {
                    if (a.sourceRegistry().equals(b.sourceRegistry())
                            && a.sourcePath().equals(b.sourcePath())) {
                        errors.add(pair + ": both have the source '" + a.rule().source() + "'");
                    }
                    if (a.targetPath().equals(b.targetPath())) {
                        errors.add(pair + ": both have the target '" + a.rule().target() + "'");
                    }
                }
            }
        }
    }

    /** Whether one wildcard prefix contains the other (the empty prefix contains everything). */
    private static boolean nested(String a, String b) {
        if (a.isEmpty() || b.isEmpty() || a.equals(b)) {
            return true;
        }
        return a.startsWith(b + "/") || b.startsWith(a + "/");
    }
}

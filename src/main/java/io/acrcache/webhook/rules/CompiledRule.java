package io.acrcache.webhook.rules;

/**
 * A validated rule in the form matching needs. For a wildcard rule {@code sourcePath} and {@code targetPath} are the
 * prefixes before {@code /*} (empty for {@code docker.io/*} or a target of {@code *}); for a static rule they are the
 * whole repositories.
 */
public record CompiledRule(
        CacheRule rule, String sourceRegistry, String sourcePath, String targetPath, boolean wildcard) {

    /** The repository in the registry for an upstream repository this rule covers. */
    String targetFor(String repository) {
        if (!wildcard) {
            return targetPath;
        }
        String rest = sourcePath.isEmpty() ? repository : repository.substring(sourcePath.length() + 1);
        return targetPath.isEmpty() ? rest : targetPath + "/" + rest;
    }

    /** Whether a wildcard rule reaches this repository of its registry (a static rule: exact match). */
    boolean covers(String repository) {
        if (!wildcard) {
            return repository.equals(sourcePath);
        }
        return sourcePath.isEmpty()
                || (repository.length() > sourcePath.length()
                        && repository.charAt(sourcePath.length()) == '/'
                        && repository.startsWith(sourcePath));
    }

    public String name() {
        return rule.name();
    }

    /** The upstream registry as a bounded metric label. */
    public String upstream() {
        return sourceRegistry;
    }
}

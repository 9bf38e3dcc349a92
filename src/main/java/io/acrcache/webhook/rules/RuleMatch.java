package io.acrcache.webhook.rules;

/**
 * The rule that covers an upstream repository and the repository it maps to in the registry
 * ({@code docker/library/nginx}, without the login server).
 */
public record RuleMatch(CompiledRule rule, String targetRepository) {}

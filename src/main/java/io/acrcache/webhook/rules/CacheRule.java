package io.acrcache.webhook.rules;

/**
 * One ACR cache rule as configured: a source repository upstream and the target repository in the registry.
 * {@code name} is the rule's name in ACR when imported from {@code az acr cache list}, or a position label
 * ({@code rules[3]}) for rules written by hand; it appears in metrics and reports.
 */
public record CacheRule(String name, String source, String target) {}

package io.acrcache.webhook.guard;

import io.acrcache.webhook.rulesync.RegistryRules;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Registry data about rules (from the ARM sync) as the guard's rule breakers take it: a credential set that is
 * {@code Unhealthy} or {@code Missing} and a rule ARM has not provisioned ({@code Succeeded}) hold the rule's breaker
 * open; a {@code Healthy} set releases it. {@code Unknown} (ARM reports no health) says nothing either way: the probes
 * and canaries decide.
 */
public final class RegistryHealthFeed {
    private RegistryHealthFeed() {}

    /** Applies one snapshot's health to the guard. */
    public static void apply(
            Guard guard, List<RegistryRules.RuleCredential> credentials, List<RegistryRules.SkippedRule> skipped) {
        Set<String> unhealthy = new HashSet<>();
        for (RegistryRules.SkippedRule s : skipped) {
            unhealthy.add(s.name());
            guard.ruleHealth(s.name(), false, "rule skipped: " + s.reason());
        }
        for (RegistryRules.RuleCredential c : credentials) {
            if (unhealthy.contains(c.rule())) {
                continue;
            }
            if (c.healthy()) {
                guard.ruleHealth(c.rule(), true, "credential set " + c.credentialSet() + " Healthy");
            } else if ("Unhealthy".equalsIgnoreCase(c.status()) || "Missing".equalsIgnoreCase(c.status())) {
                guard.ruleHealth(c.rule(), false, reason(c));
            }
        }
    }

    static String reason(RegistryRules.RuleCredential c) {
        StringBuilder sb = new StringBuilder("credential set ")
                .append(c.credentialSet())
                .append(' ')
                .append(c.status());
        if (c.errorCode() != null && !c.errorCode().isBlank()) {
            sb.append(": ").append(c.errorCode());
        }
        if (c.errorMessage() != null && !c.errorMessage().isBlank()) {
            sb.append(" (").append(c.errorMessage()).append(')');
        }
        return sb.toString();
    }
}

package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.azure.RegistrySnapshot;
import io.acrcache.webhook.azure.RegistrySnapshot.CacheRuleResource;
import io.acrcache.webhook.azure.RegistrySnapshot.CredentialSetResource;
import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rules.RuleSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a registry snapshot into rules through the same validation as a rules file ({@link RuleSet#compile}), one rule
 * at a time, so a rule ACR has not provisioned or that our validation refuses is skipped and named while the rest
 * apply. Pure: no I/O, no clock.
 */
public final class RegistryRules {
    private RegistryRules() {}

    /** An ARM rule left out, and why. */
    public record SkippedRule(String name, String reason) {}

    /**
     * A rule's credential set and its health: {@code status} is ARM's ({@code Healthy}, {@code Unhealthy}, ...),
     * {@code Unknown} when ARM reports no health, {@code Missing} when the set is not in the registry.
     */
    public record RuleCredential(
            String rule, String credentialSet, String status, String errorCode, String errorMessage) {
        public boolean healthy() {
            return "Healthy".equalsIgnoreCase(status);
        }

        /** {@code credential set <name> <status>[: <code>][ (<message>)]}, for logs and breaker reasons. */
        public String describe() {
            StringBuilder sb = new StringBuilder("credential set ")
                    .append(credentialSet)
                    .append(' ')
                    .append(status);
            if (errorCode != null && !errorCode.isBlank()) {
                sb.append(": ").append(errorCode);
            }
            if (errorMessage != null && !errorMessage.isBlank()) {
                sb.append(" (").append(errorMessage).append(')');
            }
            return sb.toString();
        }
    }

    /**
     * Every cache rule of the snapshot as ARM reports it, accepted or not: what the guard's rule holds are decided
     * from.
     *
     * @param credential its credential set and health; null when the rule uses none (anonymous upstream)
     */
    public record ArmRule(
            String name, String source, String target, String provisioningState, RuleCredential credential) {
        public boolean succeeded() {
            return "Succeeded".equalsIgnoreCase(provisioningState);
        }

        /** Why the registry's data says the rule cannot serve, or null when it says nothing against it. */
        public String unhealthy() {
            if (!succeeded()) {
                return "rule provisioningState is " + (provisioningState == null ? "missing" : provisioningState)
                        + ", not Succeeded";
            }
            if (credential != null
                    && ("Unhealthy".equalsIgnoreCase(credential.status())
                            || "Missing".equalsIgnoreCase(credential.status()))) {
                return credential.describe();
            }
            return null;
        }
    }

    /**
     * The accepted rules (ARM names kept), compiled, the rules skipped, the credential of each accepted rule, and every
     * ARM rule of the snapshot.
     */
    public record Result(
            List<CacheRule> rules,
            RuleSet ruleSet,
            List<SkippedRule> skipped,
            List<RuleCredential> credentials,
            List<ArmRule> registryRules) {
        public Result {
            rules = List.copyOf(rules);
            skipped = List.copyOf(skipped);
            credentials = List.copyOf(credentials);
            registryRules = List.copyOf(registryRules);
        }
    }

    public static Result convert(RegistrySnapshot snapshot, DockerHubHosts hubs) {
        List<SkippedRule> skipped = new ArrayList<>();
        List<CacheRuleResource> candidates = new ArrayList<>();
        List<CacheRule> valid = new ArrayList<>();
        for (CacheRuleResource r : snapshot.cacheRules()) {
            if (!r.succeeded()) {
                skipped.add(new SkippedRule(
                        r.name(),
                        "provisioningState is "
                                + (r.provisioningState() == null ? "missing" : r.provisioningState())
                                + ", not Succeeded"));
                continue;
            }
            CacheRule rule = new CacheRule(r.name(), r.sourceRepository(), r.targetRepository());
            List<String> problems = new ArrayList<>();
            if (RuleSet.compile(List.of(rule), hubs, problems) != null) {
                valid.add(rule);
                candidates.add(r);
            } else {
                skipped.add(new SkippedRule(r.name(), String.join("; ", problems)));
            }
        }
        List<CacheRule> accepted = valid;
        RuleSet ruleSet = RuleSet.compile(valid, hubs, new ArrayList<>());
        if (ruleSet == null) {
            // ACR refuses overlapping rules itself, so this is rare: keep the first of each conflicting pair
            accepted = new ArrayList<>();
            List<CacheRuleResource> kept = new ArrayList<>();
            for (int i = 0; i < valid.size(); i++) {
                List<CacheRule> trial = new ArrayList<>(accepted);
                trial.add(valid.get(i));
                List<String> problems = new ArrayList<>();
                if (RuleSet.compile(trial, hubs, problems) != null) {
                    accepted = trial;
                    kept.add(candidates.get(i));
                } else {
                    skipped.add(new SkippedRule(valid.get(i).name(), String.join("; ", problems)));
                }
            }
            candidates = kept;
            // every rule kept compiled together with those before it
            ruleSet = RuleSet.compile(accepted, hubs);
        }
        List<RuleCredential> credentials = new ArrayList<>();
        for (CacheRuleResource r : candidates) {
            credential(r, snapshot).ifPresent(credentials::add);
        }
        List<ArmRule> registryRules = new ArrayList<>();
        for (CacheRuleResource r : snapshot.cacheRules()) {
            registryRules.add(new ArmRule(
                    r.name(),
                    r.sourceRepository(),
                    r.targetRepository(),
                    r.provisioningState(),
                    credential(r, snapshot).orElse(null)));
        }
        return new Result(accepted, ruleSet, skipped, credentials, registryRules);
    }

    /** The rule's credential set with its health; empty when the rule uses none (anonymous upstream). */
    static Optional<RuleCredential> credential(CacheRuleResource rule, RegistrySnapshot snapshot) {
        String id = rule.credentialSetResourceId();
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        Optional<CredentialSetResource> set = snapshot.credentialSet(id);
        if (set.isEmpty()) {
            String name = id.substring(id.lastIndexOf('/') + 1);
            return Optional.of(new RuleCredential(
                    rule.name(), name, "Missing", null, "credential set " + id + " is not in the registry"));
        }
        CredentialSetResource s = set.get();
        if (s.healthy()) {
            return Optional.of(new RuleCredential(rule.name(), s.name(), "Healthy", null, null));
        }
        return s.firstUnhealthy()
                .map(a -> a.health() == null
                        ? new RuleCredential(rule.name(), s.name(), "Unknown", null, "no credentialHealth reported")
                        : new RuleCredential(
                                rule.name(),
                                s.name(),
                                a.health().status() == null
                                        ? "Unknown"
                                        : a.health().status(),
                                a.health().errorCode(),
                                a.health().errorMessage()))
                .or(() -> Optional.of(
                        new RuleCredential(rule.name(), s.name(), "Unknown", null, "no authCredentials reported")));
    }
}

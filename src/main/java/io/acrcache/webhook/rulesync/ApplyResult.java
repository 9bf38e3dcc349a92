package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.rulesync.RegistryRules.ArmRule;
import io.acrcache.webhook.rulesync.RegistryRules.RuleCredential;
import io.acrcache.webhook.rulesync.RegistryRules.SkippedRule;

import java.util.List;
import java.util.Map;

/**
 * What the composition root did with a snapshot {@link RuleSync} handed it.
 *
 * @param accepted the snapshot was taken (rules swapped in, or compared for drift); false keeps the last good one
 * @param skipped ARM rules left out, each named with its reason
 * @param credentials the credential set and health of each rule in force (exported as a gauge)
 * @param drift file vs registry when rules come from the file ({@code ruleSync: false}), else null
 * @param error why the snapshot was refused, when not accepted
 * @param health every ARM rule of the snapshot with the name admission's candidates carry for it
 */
public record ApplyResult(
        boolean accepted,
        List<SkippedRule> skipped,
        List<RuleCredential> credentials,
        Drift drift,
        String error,
        List<RuleHealth> health) {

    /**
     * One ARM rule as the guard takes it.
     *
     * @param rule the rule in force it is about (its own name when the registry's rules are in force, the file rule
     *     with the same source in drift mode); null when no rule in force corresponds
     */
    public record RuleHealth(String rule, ArmRule registry) {}

    public ApplyResult {
        skipped = List.copyOf(skipped);
        credentials = List.copyOf(credentials);
        health = List.copyOf(health);
    }

    /** The registry's rules are now in force. */
    public static ApplyResult applied(RegistryRules.Result converted) {
        return new ApplyResult(
                true, converted.skipped(), converted.credentials(), null, null, health(converted, Map.of(), true));
    }

    /** The file's rules stay in force; the registry's were compared with them (health reaches no rule). */
    public static ApplyResult compared(RegistryRules.Result converted, Drift drift) {
        return compared(converted, drift, Map.of());
    }

    /**
     * The file's rules stay in force; the registry's were compared with them.
     *
     * @param fileRules ARM rule name → the file rule with the same source
     */
    public static ApplyResult compared(RegistryRules.Result converted, Drift drift, Map<String, String> fileRules) {
        return new ApplyResult(
                true, converted.skipped(), converted.credentials(), drift, null, health(converted, fileRules, false));
    }

    /** The snapshot could not be used; the last good rules stay. */
    public static ApplyResult refused(String error) {
        return new ApplyResult(false, List.of(), List.of(), null, error, List.of());
    }

    private static List<RuleHealth> health(RegistryRules.Result converted, Map<String, String> names, boolean own) {
        return converted.registryRules().stream()
                .map(r -> new RuleHealth(own ? r.name() : names.get(r.name()), r))
                .toList();
    }
}

package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.rulesync.RegistryRules.RuleCredential;
import io.acrcache.webhook.rulesync.RegistryRules.SkippedRule;

import java.util.List;

/**
 * What the composition root did with a snapshot {@link RuleSync} handed it.
 *
 * @param accepted the snapshot was taken (rules swapped in, or compared for drift); false keeps the last good one
 * @param skipped ARM rules left out, each named with its reason
 * @param credentials the credential set and health of each rule in force (exported as a gauge)
 * @param drift file vs registry when rules come from the file ({@code ruleSync: false}), else null
 * @param error why the snapshot was refused, when not accepted
 */
public record ApplyResult(
        boolean accepted, List<SkippedRule> skipped, List<RuleCredential> credentials, Drift drift, String error) {

    public ApplyResult {
        skipped = List.copyOf(skipped);
        credentials = List.copyOf(credentials);
    }

    /** The registry's rules are now in force. */
    public static ApplyResult applied(RegistryRules.Result converted) {
        return new ApplyResult(true, converted.skipped(), converted.credentials(), null, null);
    }

    /** The file's rules stay in force; the registry's were compared with them. */
    public static ApplyResult compared(RegistryRules.Result converted, Drift drift) {
        return new ApplyResult(true, converted.skipped(), converted.credentials(), drift, null);
    }

    /** The snapshot could not be used; the last good rules stay. */
    public static ApplyResult refused(String error) {
        return new ApplyResult(false, List.of(), List.of(), null, error);
    }
}

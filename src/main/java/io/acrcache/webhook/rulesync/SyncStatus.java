package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.azure.RegistrySnapshot;
import io.acrcache.webhook.rulesync.RegistryRules.RuleCredential;
import io.acrcache.webhook.rulesync.RegistryRules.SkippedRule;

import java.time.Instant;
import java.util.List;

/**
 * The registry sync as {@code GET /rules} shows it. Times are null until the event happened.
 *
 * @param lastAttempt when the last sync finished, successful or not
 * @param lastSuccess when a snapshot was last accepted
 * @param result {@code success}, {@code refused} or a failure cause label ({@code forbidden}, {@code throttled}, ...);
 *     {@code pending} before the first attempt
 * @param error the last attempt's cause, ARM/Entra code and message; null after a success
 * @param snapshot the last accepted snapshot (the registry's rules as of {@code snapshot.fetchedAt()}), or null
 * @param skipped ARM rules left out of that snapshot and why
 * @param credentials each rule's credential set and health from that snapshot
 * @param drift file vs registry, when the rules come from the file
 * @param nextAttempt when the next sync is due
 * @param consecutiveFailures failed attempts since the last success
 */
public record SyncStatus(
        Instant lastAttempt,
        Instant lastSuccess,
        String result,
        String error,
        RegistrySnapshot snapshot,
        List<SkippedRule> skipped,
        List<RuleCredential> credentials,
        Drift drift,
        Instant nextAttempt,
        long consecutiveFailures) {

    public static final SyncStatus PENDING =
            new SyncStatus(null, null, "pending", null, null, List.of(), List.of(), null, null, 0);

    public SyncStatus {
        skipped = List.copyOf(skipped);
        credentials = List.copyOf(credentials);
    }
}

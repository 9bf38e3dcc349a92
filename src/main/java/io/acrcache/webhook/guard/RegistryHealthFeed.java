package io.acrcache.webhook.guard;

import io.acrcache.webhook.rulesync.ApplyResult;
import io.acrcache.webhook.rulesync.RegistryRules;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Registry data about rules (from the ARM sync) as the guard's rule breakers take it. Each snapshot states every hold
 * anew: a rule ARM has not provisioned ({@code Succeeded}) or whose credential set is {@code Unhealthy} or
 * {@code Missing} is held open; any other held rule is released (present, Succeeded and not Unhealthy: no credential
 * set, {@code Unknown} and a rule recreated alike; gone from the registry too). Released means half-open: only a
 * successful probe closes it. A rule neither in force nor in the snapshot has gone: its breaker and meters are dropped.
 */
public final class RegistryHealthFeed {
    private RegistryHealthFeed() {}

    /**
     * Applies one snapshot's health to the guard.
     *
     * @param inForce the names of the rules in force after the snapshot was applied (what candidates carry)
     */
    public static void apply(Guard guard, List<ApplyResult.RuleHealth> health, Set<String> inForce) {
        Map<String, String> holds = new LinkedHashMap<>();
        Map<String, String> fine = new LinkedHashMap<>();
        Set<String> known = new HashSet<>(inForce);
        for (ApplyResult.RuleHealth h : health) {
            if (h.rule() == null) {
                continue; // drift mode: no file rule has this source
            }
            known.add(h.rule());
            String why = h.registry().unhealthy();
            if (why != null) {
                holds.putIfAbsent(h.rule(), why);
            } else {
                fine.putIfAbsent(h.rule(), released(h.registry()));
            }
        }
        for (String rule : guard.heldRules()) {
            if (!holds.containsKey(rule)) {
                guard.ruleHealth(rule, true, fine.getOrDefault(rule, "no longer in the registry"));
            }
        }
        holds.forEach((rule, why) -> guard.ruleHealth(rule, false, why));
        guard.retainRules(known);
    }

    private static String released(RegistryRules.ArmRule r) {
        return r.credential() == null
                ? "rule Succeeded, no credential set"
                : r.credential().describe();
    }

    static String reason(RegistryRules.RuleCredential c) {
        return c.describe();
    }
}

package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rulesync.RegistryRules.RuleCredential;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;

/**
 * The registry part of {@code GET /rules}, with the field names docs/azure.md documents: {@code sync}, per-rule
 * {@code credentials}, and {@code drift}. Pure; the endpoint adds the rules in force and their origin.
 */
public final class SyncStatusJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SyncStatusJson() {}

    public static ObjectNode write(SyncStatus s) {
        ObjectNode root = NODES.objectNode();
        ObjectNode sync = root.putObject("sync");
        sync.put("result", s.result());
        time(sync, "lastAttempt", s.lastAttempt());
        time(sync, "lastSuccess", s.lastSuccess());
        sync.put("error", s.error());
        time(sync, "nextAttempt", s.nextAttempt());
        sync.put("consecutiveFailures", s.consecutiveFailures());
        time(
                sync,
                "registryRulesAsOf",
                s.snapshot() == null ? null : s.snapshot().fetchedAt());
        ArrayNode skipped = sync.putArray("skipped");
        s.skipped().forEach(k -> skipped.addObject().put("name", k.name()).put("reason", k.reason()));
        ArrayNode credentials = root.putArray("credentials");
        for (RuleCredential c : s.credentials()) {
            credentials
                    .addObject()
                    .put("rule", c.rule())
                    .put("credentialSet", c.credentialSet())
                    .put("status", c.status())
                    .put("errorCode", c.errorCode())
                    .put("errorMessage", c.errorMessage());
        }
        if (s.drift() == null) {
            root.putNull("drift");
        } else {
            ObjectNode drift = root.putObject("drift");
            rules(drift.putArray("onlyInFile"), s.drift().onlyInFile());
            rules(drift.putArray("onlyInRegistry"), s.drift().onlyInRegistry());
            ArrayNode different = drift.putArray("differentTargets");
            for (Drift.TargetMismatch m : s.drift().differentTargets()) {
                different
                        .addObject()
                        .put("source", m.registry().source())
                        .put("fileRule", m.file().name())
                        .put("fileTarget", m.file().target())
                        .put("registryRule", m.registry().name())
                        .put("registryTarget", m.registry().target());
            }
        }
        return root;
    }

    private static void rules(ArrayNode into, List<CacheRule> rules) {
        rules.forEach(r ->
                into.addObject().put("name", r.name()).put("source", r.source()).put("target", r.target()));
    }

    private static void time(ObjectNode node, String field, Instant t) {
        node.put(field, t == null ? null : t.toString());
    }
}

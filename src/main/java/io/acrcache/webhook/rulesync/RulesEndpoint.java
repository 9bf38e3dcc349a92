package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.config.ConfigHolder;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.rules.CompiledRule;
import io.acrcache.webhook.rulesync.RegistryRules.RuleCredential;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /rules} on the ops listener: the rules in force and where they came from, each rule's credential set and
 * health, and, when a registry is configured, the last sync and the drift. Field names are documented in the README
 * ("Rules from the registry") and docs/azure.md.
 */
final class RulesEndpoint implements Handler<RoutingContext> {
    static final String PATH = "/rules";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ConfigHolder holder;
    private final Path configFile;
    private final Settings.Registry registry;
    private final RegistryRulesApplier applier;
    private final Supplier<SyncStatus> status;

    /**
     * @param registry the registry settings at start (they take effect at a restart)
     * @param applier null without a registry
     * @param status the sync's status; null without a registry
     */
    RulesEndpoint(
            ConfigHolder holder,
            Path configFile,
            Settings.Registry registry,
            RegistryRulesApplier applier,
            Supplier<SyncStatus> status) {
        this.holder = holder;
        this.configFile = configFile;
        this.registry = registry;
        this.applier = applier;
        this.status = status;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.response()
                .putHeader("content-type", "application/json")
                .end(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(write()));
    }

    ObjectNode write() {
        SyncStatus s = status == null ? null : status.get();
        Instant asOf = applier == null ? null : applier.registryRulesAsOf();
        ObjectNode root = NODES.objectNode();
        ObjectNode origin = root.putObject("origin");
        if (asOf != null) {
            origin.put("source", "registry");
            origin.put("asOf", asOf.toString());
        } else {
            // as the configuration in force was loaded (a reload brings its own)
            origin.put("source", holder.get().origin("rules").label());
            origin.putNull("asOf");
        }
        origin.put("file", configFile == null ? null : configFile.toString());
        Map<String, RuleCredential> credentials = new HashMap<>();
        if (s != null) {
            s.credentials().forEach(c -> credentials.put(c.rule(), c));
        }
        ArrayNode rules = root.putArray("rules");
        for (CompiledRule r : holder.get().ruleSet().rules()) {
            ObjectNode rule = rules.addObject()
                    .put("name", r.name())
                    .put("source", r.rule().source())
                    .put("target", r.rule().target())
                    .put("kind", r.wildcard() ? "wildcard" : "static");
            RuleCredential c = credentials.get(r.name());
            if (c == null) {
                rule.putNull("credentialSet");
                rule.putNull("health");
            } else {
                rule.put("credentialSet", c.credentialSet());
                rule.putObject("health")
                        .put("status", c.status())
                        .put("errorCode", c.errorCode())
                        .put("errorMessage", c.errorMessage());
            }
        }
        if (!registry.configured()) {
            root.putNull("registry");
            return root;
        }
        ObjectNode reg = root.putObject("registry");
        reg.put("resourceId", registry.resourceId());
        reg.put("ruleSync", registry.ruleSync());
        reg.put("intervalSeconds", registry.ruleSyncIntervalSeconds());
        reg.put("armEndpoint", registry.armEndpoint());
        if (s != null) {
            reg.setAll(SyncStatusJson.write(s));
        }
        return root;
    }
}

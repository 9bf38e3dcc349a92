package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.azure.RegistrySnapshot;
import io.acrcache.webhook.config.ConfigHolder;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.image.DockerHubHosts;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the composition root does with each complete registry snapshot. With {@code registry.ruleSync: true} the
 * registry's rules are put over the loaded configuration ({@link ConfigHolder#overlay}): they replace the file's rules
 * between two admissions, and a later reload of the file replaces the other settings only. Otherwise the registry's
 * rules are compared with the file's (drift). Either way the listeners hear the result (the rules' credential health).
 */
final class RegistryRulesApplier implements Function<RegistrySnapshot, ApplyResult> {
    private static final Logger LOG = Logger.getLogger(RegistryRulesApplier.class.getName());

    private final ConfigHolder holder;
    private final boolean ruleSync;
    private final List<Consumer<ApplyResult>> listeners;
    private volatile Instant registryRulesAsOf;

    RegistryRulesApplier(ConfigHolder holder, boolean ruleSync, List<Consumer<ApplyResult>> listeners) {
        this.holder = holder;
        this.ruleSync = ruleSync;
        this.listeners = listeners;
    }

    @Override
    public ApplyResult apply(RegistrySnapshot snapshot) {
        LoadedConfig loaded = holder.loaded();
        RegistryRules.Result converted = RegistryRules.convert(snapshot, hubs(loaded));
        ApplyResult result;
        if (ruleSync) {
            // converted again over each reloaded configuration: its Docker Hub hosts decide how sources compile
            holder.overlay(config -> withRules(config, snapshot));
            registryRulesAsOf = snapshot.fetchedAt();
            result = ApplyResult.applied(converted);
        } else {
            result = ApplyResult.compared(
                    converted,
                    Drift.between(loaded.ruleSet(), converted.ruleSet()),
                    Drift.fileRulesBySource(loaded.ruleSet(), converted.registryRules(), hubs(loaded)));
        }
        for (Consumer<ApplyResult> listener : listeners) {
            try {
                listener.accept(result);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "registry rules listener failed", e);
            }
        }
        return result;
    }

    /** When the registry's rules in force were read; null while the loaded configuration's rules serve. */
    Instant registryRulesAsOf() {
        return registryRulesAsOf;
    }

    boolean ruleSync() {
        return ruleSync;
    }

    private static LoadedConfig withRules(LoadedConfig config, RegistrySnapshot snapshot) {
        RegistryRules.Result rules = RegistryRules.convert(snapshot, hubs(config));
        return config.withRuleSet(rules.ruleSet());
    }

    private static DockerHubHosts hubs(LoadedConfig config) {
        return DockerHubHosts.of(config.settings().dockerHubHosts());
    }
}

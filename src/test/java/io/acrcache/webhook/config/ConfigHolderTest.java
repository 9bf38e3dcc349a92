package io.acrcache.webhook.config;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rules.RuleSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** An overlay (the registry's rules) stays on top across reloads; a reload changes the other settings. */
class ConfigHolderTest {

    @Test
    void aReloadKeepsTheOverlayAndChangesTheRest() throws Exception {
        LoadedConfig file = SettingsLoader.parse(
                "acrLoginServer: myacr.azurecr.io\nrules: [{name: a, source: docker.io/*, target: a/*}]",
                "f",
                Map.of());
        ConfigHolder holder = new ConfigHolder(file);
        assertSame(file, holder.get());
        RuleSet registry =
                RuleSet.compile(List.of(new CacheRule("hub", "docker.io/*", "hub/*")), DockerHubHosts.defaults());
        UnaryOperator<LoadedConfig> overlay = c -> c.withRuleSet(registry);
        holder.overlay(overlay);
        assertEquals("hub", holder.get().ruleSet().rules().get(0).name());

        LoadedConfig reloaded = SettingsLoader.parse(
                "acrLoginServer: myacr.azurecr.io\nmode: audit\nrules: [{name: b, source: docker.io/*, target: b/*}]",
                "f",
                Map.of());
        holder.set(reloaded);
        assertEquals(Mode.AUDIT, holder.get().settings().mode(), "the reload's other settings apply");
        assertEquals("hub", holder.get().ruleSet().rules().get(0).name(), "the registry's rules stay");
        assertSame(reloaded, holder.loaded(), "the file's rules are kept for the drift check");

        holder.overlay(UnaryOperator.identity());
        assertEquals("b", holder.get().ruleSet().rules().get(0).name());
    }
}

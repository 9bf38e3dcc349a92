package io.acrcache.webhook.chart;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingsLoader;
import io.acrcache.webhook.rules.CacheRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rules reach the chart in every shape the README shows, pass the values schema, and load in the server. */
class ChartRulesTest {
    private static final Path AZ_OUTPUT = Path.of("src/test/resources/chart/az-acr-cache-list.json");
    private static final List<CacheRule> AZ_RULES = List.of(
            new CacheRule("docker-hub", "docker.io/*", "docker/*"),
            new CacheRule("mcr", "mcr.microsoft.com/*", "mcr/*"));

    @TempDir
    Path dir;

    private static LoadedConfig loaded(String rendered) throws Exception {
        return SettingsLoader.parse(
                ChartRenderer.configYaml(ChartRenderer.load(rendered)), "chart config.yaml", Map.of());
    }

    @Test
    void namedRulesPassTheSchemaAndKeepTheirNames() throws Exception {
        LoadedConfig c = loaded(ChartRenderer.render(ChartRenderer.values(
                "rules[0].name", "docker-hub", "rules[0].source", "docker.io/*", "rules[0].target", "docker/*")));
        assertEquals(
                List.of(new CacheRule("docker-hub", "docker.io/*", "docker/*")),
                c.settings().rules());
    }

    @Test
    void unnamedRulesAreNamedByTheirSource() throws Exception {
        LoadedConfig c = loaded(ChartRenderer.render(ChartRenderer.defaults()));
        assertEquals(
                List.of(new CacheRule("docker.io/*", "docker.io/*", "docker/*")),
                c.settings().rules());
    }

    @Test
    void azAcrCacheListItemsAsRulesPassTheSchema() throws Exception {
        // YAML is a superset of JSON: the az output under a `rules:` key is a values file
        Path values = Files.writeString(dir.resolve("values.yaml"), "rules: " + Files.readString(AZ_OUTPUT));
        LoadedConfig c = loaded(ChartRenderer.render(ChartRenderer.defaults(), values));
        assertEquals(AZ_RULES, c.settings().rules());
        assertEquals(ChartRenderer.LOGIN_SERVER, c.settings().acrLoginServer());
    }

    @Test
    void armShapeRulesPassTheSchema() throws Exception {
        Path values = Files.writeString(dir.resolve("values.yaml"), """
                rules:
                  - name: ubuntu
                    id: /subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myacr/cacheRules/ubuntu
                    properties: {sourceRepository: docker.io/library/ubuntu, targetRepository: ubuntu, provisioningState: Succeeded}
                """);
        LoadedConfig c = loaded(ChartRenderer.render(ChartRenderer.defaults(), values));
        assertEquals(
                List.of(new CacheRule("ubuntu", "docker.io/library/ubuntu", "ubuntu")),
                c.settings().rules());
    }

    @Test
    void rulesJsonTakesTheAzOutputAsItIs() throws Exception {
        // what `--set-file rulesJson=rules.json` passes: the file's text as one string value
        Path values = Files.writeString(
                dir.resolve("values.yaml"),
                "rulesJson: |\n" + Files.readString(AZ_OUTPUT).indent(2));
        LoadedConfig c = loaded(ChartRenderer.render(ChartRenderer.defaults(), values));
        assertEquals(AZ_RULES, c.settings().rules());
    }

    @Test
    void rulesJsonThatIsNotTheAzArrayIsRefusedByHelm() throws Exception {
        Path values = Files.writeString(dir.resolve("values.yaml"), "rulesJson: '{\"not\": \"an array\"}'\n");
        ChartRenderer.ChartRenderException e = assertThrows(
                ChartRenderer.ChartRenderException.class, () -> ChartRenderer.render(ChartRenderer.defaults(), values));
        assertTrue(e.getMessage().contains("rulesJson must be the JSON array"), e.getMessage());
    }

    @Test
    void excludeImagesReachTheConfig() throws Exception {
        LoadedConfig c = loaded(ChartRenderer.render(ChartRenderer.values(
                "excludeImages[0]", "docker.io/library/busybox:*", "excludeImages[1]", "docker.io/myorg/*")));
        assertEquals(
                List.of("docker.io/library/busybox:*", "docker.io/myorg/*"),
                c.settings().excludeImages());
        ChartRenderer.ChartRenderException bad = assertThrows(
                ChartRenderer.ChartRenderException.class,
                () -> ChartRenderer.render(ChartRenderer.values("excludeImages[0]", "busybox")));
        assertTrue(bad.getMessage().contains("excludeImages"), bad.getMessage());
    }
}

package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.config.ConfigHolder;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.testing.TestConfigs;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /rules} without a registry: the rules in force and where they came from. */
class RulesEndpointTest {
    /** {@code fileText} and {@code env} are what {@code config} was loaded from; the endpoint reads its origins. */
    private JsonNode write(LoadedConfig config, Path file, String fileText, Map<String, String> env) {
        RulesEndpoint endpoint = new RulesEndpoint(
                new ConfigHolder(config), file, config.settings().registry(), null, null);
        return endpoint.write();
    }

    @Test
    void embeddedDefaults() {
        JsonNode rules = write(TestConfigs.defaults(), null, null, Map.of());
        assertEquals("defaults", rules.path("origin").path("source").asString());
        assertTrue(rules.path("origin").path("asOf").isNull());
        assertTrue(rules.path("origin").path("file").isNull());
        assertEquals(1, rules.path("rules").size());
        JsonNode hub = rules.path("rules").get(0);
        assertEquals("docker-hub", hub.path("name").asString());
        assertEquals("docker.io/*", hub.path("source").asString());
        assertEquals("docker/*", hub.path("target").asString());
        assertEquals("wildcard", hub.path("kind").asString());
        assertTrue(hub.path("credentialSet").isNull());
        assertTrue(hub.path("health").isNull());
        assertTrue(rules.path("registry").isNull(), "no registry configured");
    }

    @Test
    void fromTheFileOrTheEnvironment() {
        String text = "rules: [{name: nginx, source: docker.io/library/nginx, target: nginx}]";
        JsonNode fromFile = write(TestConfigs.yaml(text), Path.of("/etc/acw/config.yaml"), text, Map.of());
        assertEquals("file", fromFile.path("origin").path("source").asString());
        assertEquals(
                "/etc/acw/config.yaml", fromFile.path("origin").path("file").asString());
        assertEquals("static", fromFile.path("rules").get(0).path("kind").asString());

        Map<String, String> env = Map.of("ACW_RULES", "[{name: q, source: quay.io/*, target: quay/*}]");
        JsonNode fromEnv = write(TestConfigs.yaml(text, env), Path.of("/etc/acw/config.yaml"), text, env);
        assertEquals("environment", fromEnv.path("origin").path("source").asString());
        assertEquals("q", fromEnv.path("rules").get(0).path("name").asString());
    }
}

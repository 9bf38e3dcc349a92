package io.acrcache.webhook.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each key's origin is kept from the load, so {@code GET /rules} need not read the file again. */
class LoadedConfigOriginsTest {
    @Test
    void environmentOverFileOverDefaults() throws ConfigException {
        LoadedConfig c = SettingsLoader.parse(
                "acrLoginServer: myacr.azurecr.io\nmode: audit\nserver: {port: 8444}",
                "config.yaml",
                Map.of("ACW_SERVER_PORT", "9443"));
        assertEquals(Origin.FILE, c.origin("acrLoginServer"));
        assertEquals(Origin.FILE, c.origin("mode"));
        assertEquals(Origin.ENVIRONMENT, c.origin("server.port"));
        assertEquals(Origin.DEFAULTS, c.origin("rules"));
        assertEquals(9443, c.settings().server().port());
    }

    @Test
    void otherRulesKeepTheOrigins() throws ConfigException {
        LoadedConfig c = SettingsLoader.parse("[]", "rules.json", Map.of("ACW_ACR_LOGIN_SERVER", "myacr.azurecr.io"));
        assertEquals(Origin.FILE, c.withRuleSet(c.ruleSet()).origin("rules"));
        assertEquals("environment", c.origin("acrLoginServer").label());
    }
}

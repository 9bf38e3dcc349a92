package io.acrcache.webhook.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The errors a person reads when the configuration is refused: each says plainly what to change. */
class ConfigMessagesTest {
    private static List<String> errors(String text, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> SettingsLoader.parse(text, "/etc/acw/config.yaml", env))
                .errors();
    }

    @Test
    void aSyntaxErrorIsTheOnlyErrorAndNamesFileAndLine() {
        List<String> errors = errors("acrLoginServer: myacr.azurecr.io\nmode: [audit\n", Map.of());
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("/etc/acw/config.yaml: not valid YAML or JSON at line "), errors.get(0));
    }

    @Test
    void aSyntaxErrorStillListsTheEnvironmentsErrors() {
        List<String> errors = errors("mode: [audit\n", Map.of("ACW_SERVER_PORT", "http"));
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.get(1).startsWith("server.port: 'http' is not a whole number"), errors.toString());
    }

    @Test
    void aSwappedPairOfLettersGetsADidYouMean() {
        assertEquals(
                List.of("mdoe: unknown key; did you mean mode?"),
                errors("acrLoginServer: myacr.azurecr.io\nmdoe: audit\n", Map.of()));
        assertEquals("; did you mean server.port?", Suggestions.didYouMean("server.prot"));
        assertEquals("", Suggestions.didYouMean("colour"));
    }

    @Test
    void ruleSyncWithoutAResourceIdSaysWhatToSet() {
        List<String> errors = errors("acrLoginServer: myacr.azurecr.io\nregistry: {ruleSync: true}\n", Map.of());
        assertEquals(
                List.of(
                        "registry.ruleSync: true needs registry.resourceId (or ACW_REGISTRY_RESOURCE_ID): the ARM"
                                + " resource ID of the registry to read the cache rules from; set it, or set ruleSync to false"),
                errors);
    }
}

package io.acrcache.webhook.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Choice settings bind as enums; a value that names no constant is refused listing the allowed ones. */
class ChoiceBindingTest {
    private static final String LOGIN = "acrLoginServer: myacr.azurecr.io\n";

    @Test
    void guardChoicesBindAsEnums() throws ConfigException {
        Settings.Guard g = SettingsLoader.parse(
                        LOGIN + "guard: {auth: Anonymous, unknownPolicy: rewrite-if-rule-healthy}", "c.yaml", Map.of())
                .settings()
                .guard();
        assertEquals(GuardChoices.Auth.ANONYMOUS, g.auth());
        assertEquals(GuardChoices.UnknownPolicy.REWRITE_IF_RULE_HEALTHY, g.unknownPolicy());
        Settings.Guard d =
                SettingsLoader.parse(null, "defaults", Map.of()).settings().guard();
        assertEquals(Defaults.GUARD_AUTH, d.auth());
        assertEquals(Defaults.GUARD_UNKNOWN_POLICY, d.unknownPolicy());
    }

    @Test
    void anUnknownChoiceIsRefusedListingTheAllowedOnesEveryErrorAtOnce() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> SettingsLoader.parse(
                        LOGIN + "mode: strict\nguard: {auth: password}",
                        "c.yaml",
                        Map.of("ACW_GUARD_UNKNOWN_POLICY", "x")));
        String all = String.join("\n", e.errors());
        assertTrue(all.contains("mode: 'strict' must be one of [enforce, audit]"), all);
        assertTrue(all.contains("guard.auth: 'password' must be one of [workload-identity, anonymous]"), all);
        assertTrue(
                all.contains("guard.unknownPolicy: 'x' must be one of [leave, rewrite-if-rule-healthy]"
                        + " (from environment variable ACW_GUARD_UNKNOWN_POLICY)"),
                all);
        assertEquals(3, e.errors().size(), all);
    }
}

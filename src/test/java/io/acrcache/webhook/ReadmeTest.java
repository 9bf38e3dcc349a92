package io.acrcache.webhook;

import io.acrcache.webhook.config.SettingDef;
import io.acrcache.webhook.config.SettingsCatalog;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README documents every configuration key, and CI runs exactly its test command. */
class ReadmeTest {
    @Test
    void everyConfigurationKeyIsDocumented() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (SettingDef def : SettingsCatalog.ALL) {
            assertTrue(
                    readme.contains("| `" + def.path() + "` | `" + def.env() + "` |"),
                    def.path() + " missing from README");
        }
    }

    @Test
    void ciRunsTheReadmeTestCommand() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String ci = Files.readString(Path.of(".ci/run"));
        String command = "mvn -B -ntp verify";
        assertTrue(readme.contains(command + "   "), "README quick start names the test command");
        assertTrue(ci.lines().anyMatch(l -> l.trim().equals(command)), ".ci/run runs it");
    }
}

package io.acrcache.webhook;

import io.acrcache.webhook.config.SettingDef;
import io.acrcache.webhook.config.SettingsCatalog;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/configuration.md documents every configuration key, the README links it, and CI runs exactly its test command.
 */
class ReadmeTest {
    @Test
    void everyConfigurationKeyIsDocumented() throws Exception {
        String reference = Files.readString(Path.of("docs/configuration.md"));
        for (SettingDef def : SettingsCatalog.ALL) {
            assertTrue(
                    reference.contains("| `" + def.path() + "` | `" + def.env() + "` |"),
                    def.path() + " missing from docs/configuration.md");
        }
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("](docs/configuration.md)"), "README links the configuration reference");
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

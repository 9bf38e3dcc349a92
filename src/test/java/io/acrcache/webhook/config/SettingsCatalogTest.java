package io.acrcache.webhook.config;

import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalogue is the one definition: Settings, README and --help follow from it. */
class SettingsCatalogTest {

    @Test
    void everySettingsComponentHasExactlyOneDefinition() {
        List<String> components = new ArrayList<>();
        collect(Settings.class, "", components);
        List<String> defined =
                SettingsCatalog.ALL.stream().map(SettingDef::path).toList();
        assertEquals(components, defined, "Settings components and catalogue entries, in order");
    }

    private static void collect(Class<?> record, String prefix, List<String> out) {
        for (RecordComponent c : record.getRecordComponents()) {
            if (c.getType().isRecord()) {
                collect(c.getType(), prefix + c.getName() + ".", out);
            } else {
                out.add(prefix + c.getName());
            }
        }
    }

    @Test
    void readmeTableIsTheGeneratedOne() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String table = SettingsCatalog.markdownTable();
        assertTrue(
                readme.contains("\n" + table + "\n"),
                "README.md's configuration table differs from SettingsCatalog.markdownTable(); replace it with:\n"
                        + table);
    }

    @Test
    void helpShowsEveryDefaultAndRange() {
        String help = SettingsCatalog.help();
        for (SettingDef def : SettingsCatalog.ALL) {
            assertTrue(help.contains(def.defaultText().isEmpty() ? "(none)" : def.defaultText()), def.path());
            if (def.kind() == SettingDef.Kind.INTEGER) {
                assertTrue(help.contains("(" + def.min() + " to " + def.max() + ")"), def.path());
            }
        }
    }

    @Test
    void everyDefaultIsValidByItsOwnDefinition() throws Exception {
        // the loaded defaults bind without error, and each text default keeps to its own pattern
        SettingsLoader.parse(null, "defaults", java.util.Map.of());
        for (SettingDef def : SettingsCatalog.ALL) {
            if (def.pattern() != null && def.kind() == SettingDef.Kind.STRING) {
                assertTrue(def.pattern().matcher(def.defaultText()).matches(), def.path());
            }
        }
    }
}

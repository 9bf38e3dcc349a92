package io.acrcache.webhook.config;

import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalogue is the one definition: Settings, docs/configuration.md and --help follow from it. */
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
    void configurationTableIsTheGeneratedOne() throws Exception {
        String page = Files.readString(Path.of("docs/configuration.md"));
        String table = SettingsCatalog.markdownTable();
        assertTrue(
                page.contains("\n" + table + "\n"),
                "docs/configuration.md's table differs from SettingsCatalog.markdownTable(); replace it with:\n"
                        + table);
    }

    /** Other documents that quote a key with its variable and default (docs/pull-failures.md) quote them right. */
    @Test
    void documentsQuotingAKeyQuoteItsVariableAndDefault() throws Exception {
        Pattern row = Pattern.compile("^\\| `([A-Za-z.]+)` \\| `(ACW_[A-Z_]+)` \\| (`([^`]*)`|\\(none[^)]*\\)) \\|");
        Map<String, SettingDef> byPath = new HashMap<>();
        SettingsCatalog.ALL.forEach(def -> byPath.put(def.path(), def));
        List<String> problems = new ArrayList<>();
        int rows = 0;
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).toList()) {
                for (String line : Files.readAllLines(doc)) {
                    Matcher m = row.matcher(line);
                    if (!m.find()) {
                        continue;
                    }
                    rows++;
                    SettingDef def = byPath.get(m.group(1));
                    String quotedDefault = m.group(4) == null ? "" : m.group(4);
                    if (def == null
                            || !def.env().equals(m.group(2))
                            || !def.defaultText().equals(quotedDefault)) {
                        problems.add(doc + ": " + line);
                    }
                }
            }
        }
        assertTrue(rows > 0, "no document quotes a key: is the pattern still right?");
        assertEquals(List.of(), problems, "rows that disagree with the catalogue");
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

package io.acrcache.webhook;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --help} lists every command Main dispatches, one line each, and names documents that exist. */
class MainHelpTest {
    private static String help() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(
                0,
                Main.run(
                        new String[] {"--help"},
                        Map.of(),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        System.err));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyDispatchedCommandHasALine() throws Exception {
        String help = help();
        // the commands as Main's source dispatches them: args[0].equals("...")
        Matcher m = Pattern.compile("args\\[0]\\.equals\\(\"([a-z-]+)\"\\)")
                .matcher(Files.readString(Path.of("src/main/java/io/acrcache/webhook/Main.java")));
        List<String> commands = new ArrayList<>();
        while (m.find()) {
            commands.add(m.group(1));
        }
        assertTrue(commands.containsAll(List.of("certs", "rewrite", "train")), commands.toString());
        for (String command : commands) {
            assertEquals(
                    1,
                    help.lines().filter(l -> l.startsWith("  " + command + " ")).count(),
                    command + " has one line in:\n" + help);
        }
        for (String other : List.of("(none)", "--version", "--help")) {
            assertTrue(help.lines().anyMatch(l -> l.startsWith("  " + other + " ")), other);
        }
        assertEquals(1, help.lines().filter(l -> l.startsWith("Usage:")).count(), "one usage line");
        assertTrue(help.contains("ACW_ACR_LOGIN_SERVER"), "the settings follow");
    }

    @Test
    void theDocumentsItNamesExist() {
        String help = help();
        Matcher m = Pattern.compile("[A-Za-z/-]+\\.md").matcher(help);
        List<String> named = new ArrayList<>();
        while (m.find()) {
            named.add(m.group());
        }
        assertTrue(named.contains("README.md"), named.toString());
        for (String doc : named) {
            assertTrue(Files.isRegularFile(Path.of(doc)), doc + " named by --help does not exist");
        }
        assertTrue(named.contains("docs/configuration.md"), named.toString());
        assertTrue(help.contains("docs/configuration.md (the settings") && configurationHasTheTable());
        assertFalse(help.contains("certs [--help]\n"), "the catalogue's own usage lines are replaced");
    }

    /** The page --help points at for its settings has the settings table. */
    private static boolean configurationHasTheTable() {
        try {
            String page = Files.readString(Path.of("docs/configuration.md"));
            return page.lines().anyMatch(l -> l.equals("# Configuration"))
                    && page.contains(io.acrcache.webhook.config.SettingsCatalog.markdownTable());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}

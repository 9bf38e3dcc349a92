package io.acrcache.webhook.rewrite;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code rewrite} / {@code acw-rewrite} example a reader may copy names the registry: without one the command
 * exits 2, so an example without one is an example that fails.
 */
class RewriteExamplesTest {
    /** An invocation: the jar's command, a bare {@code rewrite -...}, or the script with something around it. */
    private static final Pattern INVOCATION =
            Pattern.compile("jar rewrite(\\s|$)|^rewrite\\s+-|\\S\\s.*acw-rewrite|acw-rewrite\\s+\\S");

    private static final Pattern INLINE_CODE = Pattern.compile("`([^`]+)`");

    @Test
    void everyExampleNamesALoginServer() throws IOException {
        List<String> examples = new ArrayList<>();
        for (Path file : documents()) {
            examples.addAll(examples(file));
        }
        assertTrue(examples.size() >= 8, "the README's examples were found: " + examples);
        List<String> unnamed = examples.stream()
                .filter(e ->
                        !(e.contains("--config") || e.contains("ACW_CONFIG=") || e.contains("ACW_ACR_LOGIN_SERVER=")))
                .toList();
        assertEquals(List.of(), unnamed);
    }

    private static List<Path> documents() throws IOException {
        List<Path> files = new ArrayList<>(List.of(Path.of("README.md"), Path.of("bin/acw-rewrite")));
        for (String root : List.of("docs", "charts")) {
            try (Stream<Path> walk = Files.walk(Path.of(root))) {
                walk.filter(p -> p.toString().endsWith(".md") || p.toString().endsWith("NOTES.txt"))
                        .sorted()
                        .forEach(files::add);
            }
        }
        return files;
    }

    /** Code block lines, inline code (joined across line breaks) and, in the script, its comment lines. */
    private static List<String> examples(Path file) throws IOException {
        String text = Files.readString(file);
        List<String> found = new ArrayList<>();
        if (!file.toString().endsWith(".md")) {
            text.lines()
                    .filter(l -> l.startsWith("#"))
                    .map(l -> l.substring(1).trim())
                    .filter(l -> INVOCATION.matcher(l).find())
                    .forEach(l -> found.add(file + ": " + l));
            return found;
        }
        StringBuilder prose = new StringBuilder();
        boolean inBlock = false;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            if (inBlock) {
                String command = line.startsWith("$ ") ? line.substring(2) : line;
                if (INVOCATION.matcher(command).find()) {
                    found.add(file + ": " + command);
                }
            } else {
                prose.append(line).append(' ');
            }
        }
        Matcher m = INLINE_CODE.matcher(prose);
        while (m.find()) {
            if (INVOCATION.matcher(m.group(1)).find()) {
                found.add(file + ": " + m.group(1));
            }
        }
        return found;
    }
}

package io.acrcache.webhook;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No two packages of src/main depend on each other, directly or around a loop: each has one direction to grow in. A
 * dependency is any mention of another package of ours (import, static import or a fully qualified name).
 */
class PackageCyclesTest {
    private static final Path MAIN = Path.of("src/main/java/io/acrcache/webhook");
    /** A mention of a class (or all classes) of one of our packages, subpackages included as packages of their own. */
    private static final Pattern OURS =
            Pattern.compile("io\\.acrcache\\.webhook\\.((?:[a-z][a-z0-9]*\\.)*[a-z][a-z0-9]*)\\.[A-Z*]");
    /** Arrows the house forbids even without a cycle: the transport never orchestrates the guard; config is data. */
    private static final Map<String, Set<String>> FORBIDDEN = Map.of(
            "server", Set.of("guard", "guard.auth", "rulesync", "pullfailures", "doctor", "opsauth", "status"),
            "config", Set.of("azure", "outbound", "guard", "server"),
            "admission", Set.of("server", "guard", "azure", "outbound"),
            "image", Set.of("rules", "admission", "config"),
            "rules", Set.of("admission", "config"),
            "outbound", Set.of("guard", "guard.auth", "azure", "config", "rulesync"));
    /** The longest a source file of src/main may be: past it, a class is doing more than one job. */
    private static final int MAX_LINES = 450;

    @Test
    void noPackageCycle() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        assertTrue(deps.size() >= 10, "packages found: " + deps.keySet());
        List<String> cycles = new ArrayList<>();
        for (String start : deps.keySet()) {
            List<String> path = new ArrayList<>(List.of(start));
            findCycle(start, start, deps, path, new TreeSet<>(), cycles);
        }
        assertEquals(List.of(), cycles, "package cycles");
    }

    @Test
    void noForbiddenArrow() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        List<String> found = new ArrayList<>();
        FORBIDDEN.forEach((from, targets) -> {
            for (String to : deps.getOrDefault(from, Set.of())) {
                if (targets.contains(to)) {
                    found.add(from + " -> " + to);
                }
            }
        });
        found.sort(null);
        assertEquals(List.of(), found, "arrows the house forbids");
    }

    @Test
    void subpackagesArePackagesOfTheirOwn() throws IOException {
        Map<String, Set<String>> deps = dependencies();
        assertTrue(deps.containsKey("guard.auth"), "packages found: " + deps.keySet());
        assertTrue(deps.get("guard").contains("guard.auth"), "guard uses its authorizers: " + deps.get("guard"));
    }

    @Test
    void noSourceFileIsOverTheLimit() throws IOException {
        List<String> over = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                long lines = Files.readAllLines(file).size();
                if (lines > MAX_LINES) {
                    over.add(MAIN.relativize(file) + " (" + lines + " lines)");
                }
            }
        }
        assertEquals(List.of(), over, "source files over " + MAX_LINES + " lines");
    }

    @Test
    void theCheckSeesACycle() {
        Map<String, Set<String>> deps = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"));
        List<String> cycles = new ArrayList<>();
        findCycle("a", "a", deps, new ArrayList<>(List.of("a")), new TreeSet<>(), cycles);
        assertEquals(List.of("a -> b -> c -> a"), cycles);
    }

    /** Package (the root is "") → the other packages of ours it mentions. */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path rel = MAIN.relativize(file.getParent());
                String pkg = rel.toString().replace('/', '.');
                Set<String> out = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = OURS.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        out.add(m.group(1));
                    }
                }
            }
        }
        return deps;
    }

    /** Depth-first from {@code at}; records each path back to {@code start} whose smallest member is {@code start}. */
    private static void findCycle(
            String start,
            String at,
            Map<String, Set<String>> deps,
            List<String> path,
            Set<String> visited,
            List<String> cycles) {
        for (String next : deps.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (next.compareTo(start) > 0 && visited.add(next)) {
                path.add(next);
                findCycle(start, next, deps, path, visited, cycles);
                path.remove(path.size() - 1);
            }
        }
    }
}

package io.acrcache.webhook.chart;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * values.yaml, values.schema.json, the templates and README.md describe the same set of values.
 *
 * <p>A "value" is a leaf of values.yaml: a scalar, a list or an empty map. Non-empty maps are descended into, except
 * the free-form ones ({@link #FREE_FORM}), which are one value each. {@code acr.loginServer} is required and
 * deliberately has no default, so it is only a comment in values.yaml.
 */
class ChartDocsTest {

    private static final Set<String> FREE_FORM = Set.of("resources", "nodeSelector", "grafanaDashboard.labels");
    private static final String REQUIRED_WITHOUT_DEFAULT = "acr.loginServer";
    private static final Path CHART = ChartRenderer.CHART_DIR;

    private static Set<String> valuesYamlKeys() throws IOException {
        JsonNode values = new YAMLMapper().readTree(Files.readString(CHART.resolve("values.yaml")));
        Set<String> keys = new TreeSet<>();
        collect(values, "", keys);
        assertTrue(keys.remove("acr"), "acr is an empty map in values.yaml");
        keys.add(REQUIRED_WITHOUT_DEFAULT);
        return keys;
    }

    private static void collect(JsonNode node, String prefix, Set<String> keys) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String path = prefix + e.getKey();
            JsonNode value = e.getValue();
            if (value.isObject() && !value.isEmpty() && !FREE_FORM.contains(path)) {
                collect(value, path + ".", keys);
            } else {
                keys.add(path);
            }
        }
    }

    @Test
    void readmeTableListsExactlyTheValues() throws IOException {
        Pattern row = Pattern.compile("^\\| `([A-Za-z0-9.]+)` \\|");
        List<String> readme = Files.readAllLines(CHART.resolve("README.md"));
        int valuesSection = readme.indexOf("## Values");
        assertTrue(valuesSection > 0, "README.md has a '## Values' section");
        Set<String> documented = readme.subList(valuesSection, readme.size()).stream()
                .map(row::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .collect(Collectors.toCollection(TreeSet::new));

        assertEquals(valuesYamlKeys(), documented);
    }

    @Test
    void schemaDescribesNoValueThatValuesYamlLacks() throws IOException {
        JsonNode schema = new JsonMapper().readTree(Files.readString(CHART.resolve("values.schema.json")));
        Set<String> inSchema = new TreeSet<>();
        schemaPaths(schema, "", inSchema);
        Set<String> values = valuesYamlKeys();

        List<String> unknown = inSchema.stream()
                .filter(p ->
                        values.stream().noneMatch(v -> v.equals(p) || v.startsWith(p + ".") || p.startsWith(v + ".")))
                .collect(Collectors.toList());
        assertEquals(List.of(), unknown, "schema properties without a value in values.yaml");
        assertEquals("false", schema.get("additionalProperties").asString());
    }

    private static void schemaPaths(JsonNode schema, String prefix, Set<String> paths) {
        JsonNode properties = schema.get("properties");
        if (properties == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : properties.properties()) {
            String path = prefix + e.getKey();
            paths.add(path);
            schemaPaths(e.getValue(), path + ".", paths);
        }
    }

    @Test
    void everyValueIsReadByATemplate() throws IOException {
        String templates;
        try (Stream<Path> files = Files.list(CHART.resolve("templates"))) {
            templates = files.map(f -> {
                        try {
                            return Files.readString(f);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .collect(Collectors.joining("\n"));
        }
        List<String> unread =
                valuesYamlKeys().stream().filter(key -> !isRead(key, templates)).collect(Collectors.toList());
        assertEquals(List.of(), unread, "values no template reads");
    }

    /**
     * Read means: {@code .Values.<key>} appears; or a parent is passed on whole ({@code "logging" .Values.logging} into
     * config.yaml); or a parent is bound to a variable ({@code $cm := .Values.certificates.certManager}) and the rest
     * of the path is read from it ({@code $cm.issuerRef.name}).
     */
    private static boolean isRead(String key, String templates) {
        if (mentions(templates, ".Values." + key)) {
            return true;
        }
        for (int dot = key.lastIndexOf('.'); dot > 0; dot = key.lastIndexOf('.', dot - 1)) {
            String parent = key.substring(0, dot);
            String rest = key.substring(dot + 1);
            String quoted = Pattern.quote(".Values." + parent);
            if (Pattern.compile(quoted + "[ \\t]*(\\||}}|\\)|\\n)")
                    .matcher(templates)
                    .find()) {
                return true;
            }
            Matcher binding = Pattern.compile("\\$([A-Za-z0-9_]+) :?= " + quoted + "(?![A-Za-z0-9.])")
                    .matcher(templates);
            while (binding.find()) {
                if (mentions(templates, "$" + binding.group(1) + "." + rest)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean mentions(String templates, String expression) {
        return Pattern.compile(Pattern.quote(expression) + "(?![A-Za-z0-9])")
                .matcher(templates)
                .find();
    }

    @Test
    void everyValueHasItsOwnCommentInValuesYaml() throws IOException {
        List<String> lines = Files.readAllLines(CHART.resolve("values.yaml"));
        Set<String> values = valuesYamlKeys();
        values.remove(REQUIRED_WITHOUT_DEFAULT);
        List<String> uncommented = new ArrayList<>();
        Pattern keyLine = Pattern.compile("^( *)([A-Za-z][A-Za-z0-9.]*):.*$");
        Deque<int[]> indents = new ArrayDeque<>(); // {indent} parallel to names
        Deque<String> names = new ArrayDeque<>();
        int listIndent = -1; // inside the items of a list value: skip
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            if (listIndent >= 0 && indent > listIndent || line.stripLeading().startsWith("- ")) {
                continue;
            }
            listIndent = -1;
            Matcher m = keyLine.matcher(line);
            if (!m.matches()) {
                continue;
            }
            while (!indents.isEmpty() && indents.peek()[0] >= indent) {
                indents.pop();
                names.pop();
            }
            List<String> path = new ArrayList<>(names);
            java.util.Collections.reverse(path);
            path.add(m.group(2));
            String key = String.join(".", path);
            indents.push(new int[] {indent});
            names.push(m.group(2));
            if (values.contains(key)) {
                int j = i - 1;
                while (j >= 0 && lines.get(j).isBlank()) {
                    j--;
                }
                if (j < 0 || !lines.get(j).strip().startsWith("#")) {
                    uncommented.add(key + " (line " + (i + 1) + ")");
                }
                listIndent = indent;
            }
        }
        assertEquals(List.of(), uncommented, "values without a comment right above them");
    }

    /** What the ops listener serves (WebhookServer, the pull-failure report, RulesEndpoint). */
    private static final List<String> OPS_PATHS = List.of(
            "/healthz",
            "/readyz",
            "/metrics",
            io.acrcache.webhook.pullfailures.PullFailureReportEndpoint.PATH,
            "/rules");

    @Test
    void theOpsServiceIsDescribedWithEveryPathItServes() throws IOException {
        String row = Files.readString(CHART.resolve("README.md"))
                .lines()
                .filter(l -> l.startsWith("| Service `<fullname>-ops`"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the README's table has no ops Service row"));
        String notesLine = ChartRenderer.notes(ChartRenderer.values(), List.of())
                .lines()
                .filter(l -> l.contains("(9090: "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the NOTES name no ops Service"));
        for (String path : OPS_PATHS) {
            assertTrue(row.contains("`" + path + "`"), "README ops row lacks " + path + ": " + row);
            assertTrue(notesLine.contains(path), "NOTES ops line lacks " + path + ": " + notesLine);
        }
    }
}

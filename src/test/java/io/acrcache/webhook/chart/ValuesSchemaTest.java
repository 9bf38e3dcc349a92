package io.acrcache.webhook.chart;

import io.acrcache.webhook.config.SettingDef;
import io.acrcache.webhook.config.SettingsCatalog;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chart's values schema says of each value that reaches config.yaml what {@link SettingsCatalog} says of its key:
 * type, range, pattern, choices; and values.yaml's default is the catalogue's, but for the few the chart chooses on
 * purpose. Which values reach config.yaml is read from the template ({@code acw.config} in _helpers.tpl), so a value
 * newly passed through is checked without editing this test.
 */
class ValuesSchemaTest {
    private static final Path CHART = Path.of("charts/acr-cache-webhook");
    private static final Map<String, SettingDef> CATALOGUE =
            SettingsCatalog.ALL.stream().collect(Collectors.toMap(SettingDef::path, Function.identity()));
    /** Chart value → config key where the names differ. */
    private static final Map<String, String> RENAMED = Map.of("acr.loginServer", "acrLoginServer");
    /** Defaults the chart sets differently from the binary, and why. */
    private static final Set<String> CHART_DEFAULTS = Set.of(
            "acr.loginServer", // required: no registry is a sensible default in a cluster
            "excludedNamespaces", // the template always adds kube-system and the release namespace
            "shutdown.drainSeconds"); // longer in a cluster, where endpoints take time to drop the Pod

    @Test
    void everyValueReachingTheConfigAgreesWithTheCatalogue() throws Exception {
        JsonNode schema = JsonMapper.builder().build().readTree(Files.readString(CHART.resolve("values.schema.json")));
        JsonNode values = YAMLMapper.builder().build().readTree(Files.readString(CHART.resolve("values.yaml")));
        Map<String, JsonNode> leaves = new LinkedHashMap<>();
        for (String ref : valuesReachingTheConfig()) {
            JsonNode node = schemaAt(schema, ref);
            assertNotNull(node, "values.schema.json has no " + ref);
            leaves(ref, node, leaves);
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : leaves.entrySet()) {
            String value = e.getKey();
            if (value.equals("rulesJson")) {
                // `rules` as `az acr cache list -o json` prints it: one JSON string, read by the server's loader
                continue;
            }
            String key = RENAMED.getOrDefault(value, value);
            SettingDef def = CATALOGUE.get(key);
            if (def == null) {
                problems.add(value + ": reaches config.yaml as " + key + ", which the catalogue does not know");
                continue;
            }
            compare(value, e.getValue(), def, problems);
            if (!CHART_DEFAULTS.contains(value)) {
                JsonNode chartDefault = valuesAt(values, value);
                String expected = def.kind() == SettingDef.Kind.RULES || def.kind() == SettingDef.Kind.MAP
                        ? null
                        : def.defaultText();
                if (expected != null && !expected.equals(asText(chartDefault))) {
                    problems.add(value + ": values.yaml default " + chartDefault + ", catalogue " + expected);
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        // not vacuous: the template passes most keys through
        assertTrue(leaves.size() >= 14, leaves.keySet().toString());
    }

    private static void compare(String value, JsonNode schema, SettingDef def, List<String> problems) {
        String type = schema.path("type").asString();
        String expectedType = switch (def.kind()) {
            case STRING, CHOICE -> "string";
            case INTEGER -> "integer";
            case BOOLEAN -> "boolean";
            case LIST, RULES -> "array";
            case MAP -> "object";
        };
        check(problems, value, "type", expectedType, type);
        if (def.kind() == SettingDef.Kind.INTEGER) {
            check(problems, value, "minimum", def.min(), schema.path("minimum").asLong());
            check(problems, value, "maximum", def.max(), schema.path("maximum").asLong());
        }
        if (def.kind() == SettingDef.Kind.CHOICE) {
            List<String> enumValues = new ArrayList<>();
            schema.path("enum").forEach(v -> enumValues.add(v.asString()));
            check(problems, value, "enum", def.choices(), enumValues);
        }
        JsonNode patterned = def.kind() == SettingDef.Kind.LIST ? schema.path("items") : schema;
        if (def.pattern() != null) {
            check(
                    problems,
                    value,
                    "pattern",
                    "^" + def.pattern().pattern() + "$",
                    patterned.path("pattern").asString());
        }
    }

    private static void check(List<String> problems, String value, String what, Object catalogue, Object schema) {
        if (!catalogue.equals(schema)) {
            problems.add(value + ": " + what + " is " + schema + " in the schema, " + catalogue + " in the catalogue");
        }
    }

    /** Every {@code .Values.x.y} the config template (and the login-server helper it includes) reads. */
    private static Set<String> valuesReachingTheConfig() throws Exception {
        String helpers = Files.readString(CHART.resolve("templates/_helpers.tpl"));
        Set<String> refs = new TreeSet<>();
        for (String define : List.of("acw.config", "acw.loginServer", "acw.excludedNamespaces")) {
            Matcher body = Pattern.compile(
                            "define \"" + Pattern.quote(define) + "\" -}}(.*?)\\{\\{- end -}}", Pattern.DOTALL)
                    .matcher(helpers);
            assertTrue(body.find(), define + " not found in _helpers.tpl");
            Matcher ref = Pattern.compile("\\.Values\\.([A-Za-z][A-Za-z0-9.]*)").matcher(body.group(1));
            while (ref.find()) {
                refs.add(ref.group(1));
            }
        }
        return refs;
    }

    /** An object value passes all its properties through (pullFailures, logging, shutdown). */
    private static void leaves(String path, JsonNode schema, Map<String, JsonNode> out) {
        if ("object".equals(schema.path("type").asString())
                && CATALOGUE.keySet().stream().noneMatch(path::equals)) {
            for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
                leaves(path + "." + p.getKey(), p.getValue(), out);
            }
        } else {
            out.put(path, schema);
        }
    }

    /** A dotted path in the schema, through each level's {@code properties}. */
    private static JsonNode schemaAt(JsonNode schema, String dotted) {
        JsonNode node = schema;
        for (String part : dotted.split("\\.")) {
            node = node.path("properties").get(part);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /** A dotted path in values.yaml. */
    private static JsonNode valuesAt(JsonNode values, String dotted) {
        JsonNode node = values;
        for (String part : dotted.split("\\.")) {
            node = node.get(part);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    private static String asText(JsonNode value) {
        if (value == null) {
            return null;
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(v -> items.add(v.asString()));
            return String.join(",", items);
        }
        return value.asString();
    }

    @Test
    void schemaAndValuesAreReadTheSameWay() throws Exception {
        // guards schemaAt() and valuesAt(): the schema path and the values path of one setting both resolve
        JsonNode schema = JsonMapper.builder().build().readTree(Files.readString(CHART.resolve("values.schema.json")));
        assertEquals(
                "integer",
                schemaAt(schema, "pullFailures.maxEntries").path("type").asString());
        JsonNode values = YAMLMapper.builder().build().readTree(Files.readString(CHART.resolve("values.yaml")));
        assertEquals("1000", valuesAt(values, "pullFailures.maxEntries").asString());
    }
}

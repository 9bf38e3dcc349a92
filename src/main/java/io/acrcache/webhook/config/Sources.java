package io.acrcache.webhook.config;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Defaults, the config file and environment overrides merged in that order, each key remembering which of them set it.
 * Only shapes are checked here (YAML syntax, known keys, sections that are mappings); values are read later by
 * {@link KeyReader}.
 */
final class Sources {
    static final YAMLMapper YAML = YAMLMapper.builder().build();

    /**
     * @param values each key's value, as written (env text already turned into nodes)
     * @param origins each key's source
     * @param envNames key → the environment variable that set it
     * @param fileUnusable the file was given but could not be read as settings (its errors are already listed)
     */
    record Merged(
            Map<String, JsonNode> values,
            Map<String, Origin> origins,
            Map<String, String> envNames,
            boolean fileUnusable) {

        boolean given(String path) {
            return origins.get(path) != Origin.DEFAULTS;
        }
    }

    private Sources() {}

    /** Merges, adding to {@code errors} every problem found; {@code text} is null when running on defaults. */
    static Merged merge(String text, String sourceName, Map<String, String> env, List<String> errors) {
        Map<String, JsonNode> values = new HashMap<>();
        Map<String, Origin> origins = new HashMap<>();
        for (SettingDef def : SettingsCatalog.ALL) {
            values.put(def.path(), EnvText.parse(def, def.defaultText(), "default of " + def.path(), errors));
            origins.put(def.path(), Origin.DEFAULTS);
        }
        boolean fileUnusable = false;
        if (text != null) {
            fileUnusable = !readFile(text, sourceName, new Into(values, origins, errors));
        }
        Map<String, String> envNames = new HashMap<>();
        for (SettingDef def : SettingsCatalog.ALL) {
            String override = env.get(def.env());
            if (override != null) {
                envNames.put(def.path(), def.env());
                origins.put(def.path(), Origin.ENVIRONMENT);
                values.put(def.path(), EnvText.parse(def, override, def.env(), errors));
            }
        }
        return new Merged(values, Map.copyOf(origins), Map.copyOf(envNames), fileUnusable);
    }

    /** Where the file's keys go while it is read. */
    private record Into(Map<String, JsonNode> values, Map<String, Origin> origins, List<String> errors) {}

    /** False when the text is not settings at all (not YAML, or a scalar): nothing else about it is known. */
    private static boolean readFile(String text, String sourceName, Into into) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JacksonException e) {
            into.errors().add(sourceName + ": not valid YAML or JSON" + where(e) + " (" + firstLine(e) + ")");
            return false;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return true;
        }
        if (root.isArray()) {
            // the bare output of `az acr cache list -o json`
            into.values().put("rules", root);
            into.origins().put("rules", Origin.FILE);
            return true;
        }
        if (!root.isObject()) {
            into.errors().add(sourceName + ": must be a mapping of settings or a list of cache rules");
            return false;
        }
        readSection("", root, into);
        return true;
    }

    /** A mapping of keys and sections, at any depth ({@code server}, later {@code registry.sync}, ...). */
    private static void readSection(String prefix, JsonNode section, Into into) {
        for (Map.Entry<String, JsonNode> e : section.properties()) {
            String path = prefix + e.getKey();
            if (SettingsCatalog.SECTIONS.contains(path)) {
                if (e.getValue().isObject()) {
                    readSection(path + ".", e.getValue(), into);
                } else {
                    into.errors().add(path + ": must be a mapping");
                }
            } else if (SettingsCatalog.BY_PATH.containsKey(path)) {
                into.values().put(path, e.getValue());
                if (!e.getValue().isNull()) {
                    into.origins().put(path, Origin.FILE);
                }
            } else {
                into.errors().add(path + ": unknown key" + Suggestions.didYouMean(path));
            }
        }
    }

    /** " at line L, column C" of a parse error, when the parser knows it. */
    private static String where(JacksonException e) {
        var location = e.getLocation();
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    static String firstLine(Exception e) {
        String msg = String.valueOf(e.getMessage());
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }
}

package io.acrcache.webhook.config;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rules.RuleSet;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Merges defaults, the config file and environment overrides (in that order) and validates the result against
 * {@link SettingsCatalog}, listing every error at once with the field it concerns. Used at start and for each reload;
 * callable from tests without a server.
 */
public final class SettingsLoader {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Map<String, SettingDef> BY_PATH = new HashMap<>();
    private static final Set<String> SECTIONS = new LinkedHashSet<>();

    static {
        for (SettingDef def : SettingsCatalog.ALL) {
            BY_PATH.put(def.path(), def);
            for (int dot = def.path().indexOf('.'); dot > 0; dot = def.path().indexOf('.', dot + 1)) {
                SECTIONS.add(def.path().substring(0, dot));
            }
        }
    }

    private SettingsLoader() {}

    /** Loads from a file (or defaults only when {@code file} is null) and the given environment. */
    public static LoadedConfig load(Path file, Map<String, String> env) throws ConfigException {
        String text = null;
        if (file != null) {
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException(List.of("config file " + file + ": cannot be read (" + e.getMessage() + ")"));
            }
        }
        return parse(text, file == null ? "defaults" : file.toString(), env);
    }

    /** Loads from config text (YAML or JSON; null for none) and the given environment. */
    public static LoadedConfig parse(String text, String sourceName, Map<String, String> env) throws ConfigException {
        List<String> errors = new ArrayList<>();
        Map<String, JsonNode> values = new HashMap<>();
        for (SettingDef def : SettingsCatalog.ALL) {
            values.put(def.path(), fromText(def, def.defaultText(), "default of " + def.path(), errors));
        }
        if (text != null) {
            readFile(text, sourceName, values, errors);
        }
        for (SettingDef def : SettingsCatalog.ALL) {
            String override = env.get(def.env());
            if (override != null) {
                values.put(def.path(), fromText(def, override, def.env(), errors));
            }
        }
        return build(new Reader(values, errors));
    }

    private static void readFile(String text, String sourceName, Map<String, JsonNode> values, List<String> errors) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JacksonException e) {
            errors.add(sourceName + ": not valid YAML or JSON (" + firstLine(e) + ")");
            return;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (root.isArray()) {
            // the bare output of `az acr cache list -o json`
            values.put("rules", root);
            return;
        }
        if (!root.isObject()) {
            errors.add(sourceName + ": must be a mapping of settings or a list of cache rules");
            return;
        }
        readSection("", root, values, errors);
    }

    /** A mapping of keys and sections, at any depth ({@code server}, later {@code registry.sync}, ...). */
    private static void readSection(
            String prefix, JsonNode section, Map<String, JsonNode> values, List<String> errors) {
        for (Map.Entry<String, JsonNode> e : section.properties()) {
            String path = prefix + e.getKey();
            if (SECTIONS.contains(path)) {
                if (e.getValue().isObject()) {
                    readSection(path + ".", e.getValue(), values, errors);
                } else {
                    errors.add(path + ": must be a mapping");
                }
            } else {
                put(path, e.getValue(), values, errors);
            }
        }
    }

    private static void put(String path, JsonNode value, Map<String, JsonNode> values, List<String> errors) {
        if (BY_PATH.containsKey(path)) {
            values.put(path, value);
        } else {
            errors.add(path + ": unknown key");
        }
    }

    /** Each key read by its definition, then the checks that span keys, then the values bound into {@link Settings}. */
    private static LoadedConfig build(Reader r) throws ConfigException {
        Map<String, Object> typed = new HashMap<>();
        for (SettingDef def : SettingsCatalog.ALL) {
            typed.put(def.path(), r.read(def));
        }
        @SuppressWarnings("unchecked")
        List<String> hubHosts = (List<String>) typed.get("dockerHubHosts");
        DockerHubHosts hubs = null;
        try {
            hubs = DockerHubHosts.of(hubHosts);
        } catch (IllegalArgumentException e) {
            r.error("dockerHubHosts", e.getMessage());
        }
        if (((String) typed.get("server.tlsCertFile")).isEmpty()
                != ((String) typed.get("server.tlsKeyFile")).isEmpty()) {
            r.error("server.tlsCertFile, server.tlsKeyFile", "set both or neither");
        }
        List<CacheRule> rules = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        RuleImport.read((JsonNode) typed.get("rules"), "rules", rules, r.errors, warnings);
        typed.put("rules", List.copyOf(rules));
        RuleSet ruleSet = null;
        if (hubs != null) {
            List<String> ruleErrors = new ArrayList<>();
            ruleSet = RuleSet.compile(rules, hubs, ruleErrors);
            ruleErrors.forEach(msg -> r.error("rules", msg));
        }
        if (!r.errors.isEmpty()) {
            throw new ConfigException(r.errors);
        }
        return LoadedConfig.of(bind(Settings.class, "", typed), ruleSet, warnings);
    }

    /**
     * Builds a settings record from the typed values: each component takes the value whose path is its name (after the
     * prefix of the section it is in); a component that is itself a record is a section. A component with no catalogue
     * entry is a programming error, caught by the first load in any test.
     */
    static <R extends Record> R bind(Class<R> type, String prefix, Map<String, Object> typed) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            String path = prefix + c.getName();
            types[i] = c.getType();
            if (c.getType().isRecord()) {
                args[i] = bind(c.getType().asSubclass(Record.class), path + ".", typed);
            } else if (typed.containsKey(path)) {
                args[i] = convert(typed.get(path), c.getType());
            } else {
                throw new IllegalStateException(type.getName() + "." + c.getName() + ": no setting " + path);
            }
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object convert(Object value, Class<?> type) {
        if (type == Set.class) {
            return Set.copyOf((List<?>) value);
        }
        if (type.isEnum()) {
            return Enum.valueOf((Class<? extends Enum>) type, ((String) value).toUpperCase(Locale.ROOT));
        }
        return value;
    }

    /** A value as an environment variable (or a default) writes it: lists comma-separated, rules as YAML or JSON. */
    private static JsonNode fromText(SettingDef def, String text, String source, List<String> errors) {
        switch (def.kind()) {
            case LIST -> {
                var list = NODES.arrayNode();
                for (String part : text.split(",")) {
                    if (!part.isBlank()) {
                        list.add(part.trim());
                    }
                }
                return list;
            }
            case RULES -> {
                try {
                    return YAML.readTree(text);
                } catch (JacksonException e) {
                    errors.add(source + ": not valid YAML or JSON (" + firstLine(e) + ")");
                    return NODES.arrayNode();
                }
            }
            default -> {
                return NODES.stringNode(text.trim());
            }
        }
    }

    private static String firstLine(Exception e) {
        String msg = String.valueOf(e.getMessage());
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }

    /** Typed access to the merged values; each bad value adds an error naming its key. */
    private static final class Reader {
        final Map<String, JsonNode> values;
        final List<String> errors;

        Reader(Map<String, JsonNode> values, List<String> errors) {
            this.values = values;
            this.errors = errors;
        }

        void error(String field, String detail) {
            errors.add(field + ": " + detail);
        }

        /** The value of one key as its definition says: String, Integer, Boolean, List of String, or a rules node. */
        Object read(SettingDef def) {
            return switch (def.kind()) {
                case STRING -> checked(def, def.lowercase() ? string(def).toLowerCase(Locale.ROOT) : string(def));
                case INTEGER -> integer(def);
                case BOOLEAN -> bool(def);
                case LIST -> {
                    List<String> items = list(def);
                    items.forEach(item -> checked(def, item));
                    yield items;
                }
                case CHOICE -> choice(def);
                case RULES -> values.get(def.path());
            };
        }

        private String checked(SettingDef def, String value) {
            if (def.pattern() != null && !def.pattern().matcher(value).matches()) {
                error(def.path(), "'" + value + "' is not " + def.patternName());
            }
            return value;
        }

        private String string(SettingDef def) {
            JsonNode v = values.get(def.path());
            if (v == null || v.isNull()) {
                return "";
            }
            if (v.isString() || v.isNumber() || v.isBoolean()) {
                return v.asString().trim();
            }
            error(def.path(), "must be a string");
            return "";
        }

        private int integer(SettingDef def) {
            JsonNode v = values.get(def.path());
            long n;
            if (v != null && v.isIntegralNumber()) {
                n = v.asLong();
            } else {
                try {
                    n = Long.parseLong(string(def));
                } catch (NumberFormatException e) {
                    error(def.path(), "'" + (v == null ? "" : v.asString()) + "' is not a whole number");
                    return (int) def.min();
                }
            }
            if (n < def.min() || n > def.max()) {
                error(def.path(), n + " is out of range " + def.min() + ".." + def.max());
                return (int) def.min();
            }
            return (int) n;
        }

        private boolean bool(SettingDef def) {
            JsonNode v = values.get(def.path());
            if (v != null && v.isBoolean()) {
                return v.booleanValue();
            }
            String s = string(def).toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("false")) {
                return Boolean.parseBoolean(s);
            }
            error(def.path(), "'" + s + "' must be true or false");
            return false;
        }

        private String choice(SettingDef def) {
            String s = string(def);
            for (String choice : def.choices()) {
                if (choice.equalsIgnoreCase(s)) {
                    return choice;
                }
            }
            error(def.path(), "'" + s + "' must be one of " + def.choices());
            return def.choices().get(0);
        }

        private List<String> list(SettingDef def) {
            JsonNode v = values.get(def.path());
            List<String> out = new ArrayList<>();
            if (v == null || v.isNull()) {
                return out;
            }
            if (!v.isArray()) {
                error(def.path(), "must be a list");
                return out;
            }
            for (int i = 0; i < v.size(); i++) {
                JsonNode item = v.get(i);
                if (item.isString() && !item.stringValue().isBlank()) {
                    out.add(item.stringValue().trim());
                } else {
                    error(def.path() + "[" + i + "]", "must be a non-empty string");
                }
            }
            return List.copyOf(out);
        }
    }
}

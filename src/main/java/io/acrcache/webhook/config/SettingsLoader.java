package io.acrcache.webhook.config;

import io.acrcache.webhook.azure.ArmRegistryClient;
import io.acrcache.webhook.azure.LoginServers;
import io.acrcache.webhook.azure.RegistryResourceId;
import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rules.ImageExclusions;
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
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

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
    private static final String LOGIN_SERVER = "acrLoginServer";

    static {
        for (SettingDef def : SettingsCatalog.ALL) {
            BY_PATH.put(def.path(), def);
            for (int dot = def.path().indexOf('.'); dot > 0; dot = def.path().indexOf('.', dot + 1)) {
                SECTIONS.add(def.path().substring(0, dot));
            }
        }
    }

    private SettingsLoader() {}

    /**
     * Loads from a file (or defaults only when {@code file} is null) and the given environment, as the command line
     * starts: the TLS files the settings name must be there, readable and PEM (checked with the rest, so one list names
     * every problem).
     */
    public static LoadedConfig load(Path file, Map<String, String> env) throws ConfigException {
        String text = null;
        if (file != null) {
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException(List.of("config file " + file + ": cannot be read (" + e.getMessage() + ")"));
            }
        }
        return parse(text, file == null ? "defaults" : file.toString(), env, true);
    }

    /**
     * Loads from config text (YAML or JSON; null for none) and the given environment. Files it names are not opened
     * (reloads: the certificate reloader watches those).
     */
    public static LoadedConfig parse(String text, String sourceName, Map<String, String> env) throws ConfigException {
        return parse(text, sourceName, env, false);
    }

    private static LoadedConfig parse(String text, String sourceName, Map<String, String> env, boolean checkFiles)
            throws ConfigException {
        List<String> errors = new ArrayList<>();
        Map<String, JsonNode> values = new HashMap<>();
        for (SettingDef def : SettingsCatalog.ALL) {
            values.put(def.path(), fromText(def, def.defaultText(), "default of " + def.path(), errors));
        }
        Set<String> fromFile = new HashSet<>();
        if (text != null) {
            readFile(text, sourceName, values, fromFile, errors);
        }
        Map<String, String> fromEnv = new HashMap<>();
        for (SettingDef def : SettingsCatalog.ALL) {
            String override = env.get(def.env());
            if (override != null) {
                fromEnv.put(def.path(), def.env());
                values.put(def.path(), fromText(def, override, def.env(), errors));
            }
        }
        if (text != null
                && !fromFile.contains(LOGIN_SERVER)
                && !fromEnv.containsKey(LOGIN_SERVER)
                && !fromFile.contains(RegistryResourceId.FIELD)
                && !fromEnv.containsKey(RegistryResourceId.FIELD)) {
            // the embedded placeholder serves only with no config file at all (with registry.resourceId the login
            // server comes from the registry's name, see registry())
            loginServerFromRules(values, sourceName, errors);
        }
        Reader reader = new Reader(values, errors, fromEnv);
        reader.given.addAll(fromFile);
        reader.given.addAll(fromEnv.keySet());
        return build(reader, checkFiles);
    }

    /**
     * The logging format a configuration asks for, as far as it can be read even when the configuration is refused:
     * {@code ACW_LOGGING_FORMAT}, else the file's {@code logging.format}, else text. Lets start-up errors follow it.
     */
    public static String loggingFormat(Path file, Map<String, String> env) {
        String fromEnv = env.get("ACW_LOGGING_FORMAT");
        if (fromEnv != null) {
            return fromEnv.trim().equalsIgnoreCase("json") ? "json" : "text";
        }
        if (file != null) {
            try {
                JsonNode format = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8))
                        .path("logging")
                        .path("format");
                if (format.isString() && format.stringValue().trim().equalsIgnoreCase("json")) {
                    return "json";
                }
            } catch (IOException | RuntimeException e) {
                // unreadable: the error itself is reported by load, in text
            }
        }
        return "text";
    }

    /** A TLS file named by {@code field}: there, readable, and PEM holding the expected block. */
    private static void checkPemFile(Reader r, String field, String file, String what, String marker) {
        if (file.isEmpty()) {
            return;
        }
        Path path = Path.of(file);
        if (!Files.exists(path)) {
            r.error(field, file + ": no such file");
            return;
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            r.error(field, file + ": not readable (is it a file this user may read?)");
            return;
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            r.error(field, file + ": not readable (" + e.getMessage() + ")");
            return;
        }
        if (!text.contains("-----BEGIN ") || !text.contains(marker)) {
            r.error(field, file + ": not PEM (expected " + what + ")");
        }
    }

    /**
     * A config file without {@code acrLoginServer}: the rules' ARM ids ({@code az acr cache list -o json}) name the
     * registry; without them it is an error, since the placeholder would rewrite every Pod to a registry that is not
     * there.
     */
    private static void loginServerFromRules(Map<String, JsonNode> values, String sourceName, List<String> errors) {
        Set<String> registries = new TreeSet<>();
        JsonNode rules = values.get("rules");
        if (rules != null && rules.isArray()) {
            for (JsonNode rule : rules) {
                JsonNode id = rule.get("id");
                if (id != null && id.isString()) {
                    LoginServers.registryName(id.stringValue())
                            .ifPresent(name -> registries.add(name.toLowerCase(Locale.ROOT)));
                }
            }
        }
        JsonNode arm = values.get("registry.armEndpoint");
        String armEndpoint = arm != null && arm.isString() ? arm.stringValue() : ArmRegistryClient.DEFAULT_ARM_ENDPOINT;
        if (registries.size() == 1) {
            String name = registries.iterator().next();
            Optional<String> derived = LoginServers.fromRegistry(name, armEndpoint);
            if (derived.isPresent()) {
                values.put(LOGIN_SERVER, NODES.stringNode(derived.get()));
            } else {
                errors.add(LOGIN_SERVER + ": not set, and the login server of registry '" + name
                        + "' (named by the rules' ARM ids) cannot be derived for ARM endpoint " + armEndpoint
                        + " (known clouds only); set it");
            }
        } else if (registries.isEmpty()) {
            errors.add(LOGIN_SERVER + ": is required when a config file is given (" + sourceName
                    + "): set it to your registry, e.g. 'acrLoginServer: myacr.azurecr.io', or set "
                    + "ACW_ACR_LOGIN_SERVER (it is read from the rules' ARM ids when they carry them, as"
                    + " 'az acr cache list -o json' prints)");
        } else {
            errors.add(LOGIN_SERVER + ": not set, and the rules' ARM ids name several registries " + registries
                    + ": set acrLoginServer or ACW_ACR_LOGIN_SERVER");
        }
    }

    private static void readFile(
            String text, String sourceName, Map<String, JsonNode> values, Set<String> fromFile, List<String> errors) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JacksonException e) {
            errors.add(sourceName + ": not valid YAML or JSON" + where(e) + " (" + firstLine(e) + ")");
            return;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (root.isArray()) {
            // the bare output of `az acr cache list -o json`
            values.put("rules", root);
            fromFile.add("rules");
            return;
        }
        if (!root.isObject()) {
            errors.add(sourceName + ": must be a mapping of settings or a list of cache rules");
            return;
        }
        readSection("", root, values, fromFile, errors);
    }

    /** " at line L, column C" of a parse error, when the parser knows it. */
    private static String where(JacksonException e) {
        var location = e.getLocation();
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** A mapping of keys and sections, at any depth ({@code server}, later {@code registry.sync}, ...). */
    private static void readSection(
            String prefix, JsonNode section, Map<String, JsonNode> values, Set<String> fromFile, List<String> errors) {
        for (Map.Entry<String, JsonNode> e : section.properties()) {
            String path = prefix + e.getKey();
            if (SECTIONS.contains(path)) {
                if (e.getValue().isObject()) {
                    readSection(path + ".", e.getValue(), values, fromFile, errors);
                } else {
                    errors.add(path + ": must be a mapping");
                }
            } else if (BY_PATH.containsKey(path)) {
                values.put(path, e.getValue());
                if (!e.getValue().isNull()) {
                    fromFile.add(path);
                }
            } else {
                errors.add(path + ": unknown key" + didYouMean(path));
            }
        }
    }

    /** "; did you mean server.port?" for the known key (or section) nearest a misspelt one; empty if none is near. */
    static String didYouMean(String path) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        List<String> known = new ArrayList<>(BY_PATH.keySet());
        known.addAll(SECTIONS);
        known.sort(null);
        for (String candidate : known) {
            int d = editDistance(path.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        // a few typos, not a different word: at most a third of the name
        return best != null && bestDistance <= Math.max(1, path.length() / 3) ? "; did you mean " + best + "?" : "";
    }

    /** Levenshtein distance (insert, delete, substitute). */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** Each key read by its definition, then the checks that span keys, then the values bound into {@link Settings}. */
    private static LoadedConfig build(Reader r, boolean checkFiles) throws ConfigException {
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
        @SuppressWarnings("unchecked")
        List<String> excludeImages = (List<String>) typed.get("excludeImages");
        List<String> exclusionErrors = new ArrayList<>();
        ImageExclusions.compile(excludeImages, exclusionErrors);
        exclusionErrors.forEach(msg -> r.error("excludeImages", msg));
        if (checkFiles) {
            checkPemFile(
                    r,
                    "server.tlsCertFile",
                    (String) typed.get("server.tlsCertFile"),
                    "a '-----BEGIN CERTIFICATE-----' block",
                    "CERTIFICATE-----");
            checkPemFile(
                    r,
                    "server.tlsKeyFile",
                    (String) typed.get("server.tlsKeyFile"),
                    "a '-----BEGIN PRIVATE KEY-----' block",
                    "PRIVATE KEY-----");
        }
        List<CacheRule> rules = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int before = r.errors.size();
        RuleImport.read((JsonNode) typed.get("rules"), "rules", rules, r.errors, warnings);
        r.fromEnvNamed("rules", before);
        typed.put("rules", List.copyOf(rules));
        RuleSet ruleSet = null;
        if (hubs != null) {
            List<String> ruleErrors = new ArrayList<>();
            ruleSet = RuleSet.compile(rules, hubs, ruleErrors);
            ruleErrors.forEach(msg -> r.error("rules", msg));
        }
        registry(r, typed);
        guardBudget(r, typed);
        if (!r.errors.isEmpty()) {
            throw new ConfigException(r.errors);
        }
        return LoadedConfig.of(bind(Settings.class, "", typed), ruleSet, warnings);
    }

    /**
     * The guard's inline budget must leave the admission time to answer within {@code server.requestTimeoutSeconds} (at
     * least half a second), or the apiserver gets a 408 instead of an answer.
     */
    private static void guardBudget(Reader r, Map<String, Object> typed) {
        if (!Boolean.TRUE.equals(typed.get("guard.enabled"))) {
            return;
        }
        long budget = ((Number) typed.get("guard.inlineBudgetMillis")).longValue();
        long timeout = ((Number) typed.get("server.requestTimeoutSeconds")).longValue() * 1000L;
        if (budget + 500 > timeout) {
            r.error(
                    "guard.inlineBudgetMillis",
                    budget + " does not fit server.requestTimeoutSeconds (" + timeout / 1000
                            + " s): keep it at least 500 ms below");
        }
    }

    /**
     * The {@code registry.*} checks: a resource ID that is a registry's, an https ARM endpoint, {@code ruleSync} only
     * with a resource ID; and the login server derived from the registry's name when {@code acrLoginServer} is not
     * given (never guessed: a cloud whose suffix is unknown needs it set).
     */
    private static void registry(Reader r, Map<String, Object> typed) {
        String resourceId = (String) typed.get("registry.resourceId");
        String armEndpoint = (String) typed.get("registry.armEndpoint");
        try {
            typed.put("registry.armEndpoint", ArmRegistryClient.checkEndpoint(armEndpoint));
        } catch (IllegalArgumentException e) {
            r.errors.add(e.getMessage());
            armEndpoint = null;
        }
        if (resourceId.isEmpty()) {
            if (Boolean.TRUE.equals(typed.get("registry.ruleSync"))) {
                r.error("registry.ruleSync", "true needs registry.resourceId (the registry to read the rules from)");
            }
            return;
        }
        List<String> problems = RegistryResourceId.problems(RegistryResourceId.FIELD, resourceId);
        r.errors.addAll(problems);
        if (!problems.isEmpty() || armEndpoint == null || r.given.contains("acrLoginServer")) {
            return;
        }
        String name = RegistryResourceId.parse(resourceId).registryName();
        Optional<String> derived = LoginServers.fromRegistry(name, armEndpoint);
        if (derived.isPresent()) {
            typed.put("acrLoginServer", derived.get());
        } else {
            r.error(
                    "acrLoginServer",
                    "not set, and the login server of registry '" + name + "' cannot be derived for ARM endpoint "
                            + armEndpoint + " (known clouds only); set it");
        }
    }

    /**
     * Where a key's value came from: {@code environment}, {@code file} or {@code defaults}. For {@code GET /rules};
     * {@code fileText} is the config file's text (null when running on defaults).
     */
    public static String source(String path, String fileText, Map<String, String> env) {
        SettingDef def = BY_PATH.get(path);
        if (def != null && env.get(def.env()) != null) {
            return "environment";
        }
        if (fileText != null) {
            Set<String> fromFile = new HashSet<>();
            readFile(fileText, "file", new HashMap<>(), fromFile, new ArrayList<>());
            if (fromFile.contains(path)) {
                return "file";
            }
        }
        return "defaults";
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
            case MAP -> {
                var map = NODES.objectNode();
                for (String part : text.split(",")) {
                    if (part.isBlank()) {
                        continue;
                    }
                    int eq = part.indexOf('=');
                    if (eq <= 0) {
                        errors.add(source + ": '" + part.trim() + "' is not name=value");
                    } else {
                        map.put(
                                part.substring(0, eq).trim(),
                                part.substring(eq + 1).trim());
                    }
                }
                return map;
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
        /** Keys the file or the environment set. */
        final Set<String> given = new HashSet<>();
        /** key → the environment variable that set it */
        final Map<String, String> fromEnv;

        Reader(Map<String, JsonNode> values, List<String> errors, Map<String, String> fromEnv) {
            this.values = values;
            this.errors = errors;
            this.fromEnv = fromEnv;
        }

        /** An error naming the field, and the environment variable when the value came from one. */
        void error(String field, String detail) {
            errors.add(field + ": " + detail + envSuffix(field));
        }

        /** Errors added (since {@code from}) by a reader that knows only the field names the environment variable. */
        void fromEnvNamed(String path, int from) {
            String suffix = envSuffix(path);
            for (int i = from; i < errors.size(); i++) {
                errors.set(i, errors.get(i) + suffix);
            }
        }

        private String envSuffix(String field) {
            int end = field.length();
            for (int i = 0; i < field.length(); i++) {
                char c = field.charAt(i);
                if (c == '[' || c == ',') {
                    end = i;
                    break;
                }
            }
            String env = fromEnv.get(field.substring(0, end));
            return env == null ? "" : " (from environment variable " + env + ")";
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
                case MAP -> map(def);
            };
        }

        private Map<String, String> map(SettingDef def) {
            JsonNode v = values.get(def.path());
            Map<String, String> out = new java.util.TreeMap<>();
            if (v == null || v.isNull()) {
                return Map.of();
            }
            if (!v.isObject()) {
                error(def.path(), "must be a mapping of names to strings");
                return Map.of();
            }
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                JsonNode item = e.getValue();
                if (item.isString() && !item.stringValue().isBlank()) {
                    out.put(e.getKey(), checked(def, item.stringValue().trim()));
                } else {
                    error(def.path() + "." + e.getKey(), "must be a non-empty string");
                }
            }
            return java.util.Collections.unmodifiableMap(out);
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

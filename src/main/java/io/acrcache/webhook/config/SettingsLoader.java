package io.acrcache.webhook.config;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rules.RuleSet;
import io.acrcache.webhook.rules.RuleSetException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
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
import java.util.regex.Pattern;

/**
 * Merges defaults, the config file and environment overrides (in that order) and validates the result, listing every
 * error at once with the field it concerns. Used at start and for each reload; callable from tests without a server.
 */
public final class SettingsLoader {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> LIST_KEYS =
            Set.of("dockerHubHosts", "excludedNamespaces", "pullFailures.namespaces");
    private static final Map<String, SettingDef> BY_PATH = new HashMap<>();
    private static final Set<String> SECTIONS = new LinkedHashSet<>();
    // host name with optional port, as a registry login server is written
    private static final Pattern LOGIN_SERVER =
            Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?");
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern ANNOTATION_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    static {
        for (SettingDef def : SettingsCatalog.ALL) {
            BY_PATH.put(def.path(), def);
            int dot = def.path().indexOf('.');
            if (dot > 0) {
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
            if (!def.path().equals("rules")) {
                values.put(def.path(), fromText(def.path(), def.defaultText()));
            }
        }
        values.put("rules", defaultRules());
        if (text != null) {
            readFile(text, sourceName, values, errors);
        }
        for (SettingDef def : SettingsCatalog.ALL) {
            String override = env.get(def.env());
            if (override != null) {
                if (def.path().equals("rules")) {
                    try {
                        values.put("rules", YAML.readTree(override));
                    } catch (JacksonException e) {
                        errors.add(def.env() + ": not valid YAML or JSON (" + firstLine(e) + ")");
                    }
                } else {
                    values.put(def.path(), fromText(def.path(), override));
                }
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
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String key = e.getKey();
            if (SECTIONS.contains(key)) {
                if (!e.getValue().isObject()) {
                    errors.add(key + ": must be a mapping");
                    continue;
                }
                for (Map.Entry<String, JsonNode> inner : e.getValue().properties()) {
                    String path = key + "." + inner.getKey();
                    if (BY_PATH.containsKey(path)) {
                        values.put(path, inner.getValue());
                    } else {
                        errors.add(path + ": unknown key");
                    }
                }
            } else if (BY_PATH.containsKey(key)) {
                values.put(key, e.getValue());
            } else {
                errors.add(key + ": unknown key");
            }
        }
    }

    private static LoadedConfig build(Reader r) throws ConfigException {
        String loginServer = r.string("acrLoginServer").toLowerCase(Locale.ROOT);
        if (!LOGIN_SERVER.matcher(loginServer).matches()) {
            r.errors.add("acrLoginServer: '" + loginServer + "' is not a registry host name such as myacr.azurecr.io");
        }
        Mode mode = r.oneOf("mode", Mode.class);
        List<String> hubHosts = r.list("dockerHubHosts");
        DockerHubHosts hubs = null;
        try {
            hubs = DockerHubHosts.of(hubHosts);
        } catch (IllegalArgumentException e) {
            r.errors.add("dockerHubHosts: " + e.getMessage());
        }
        List<String> excluded = r.list("excludedNamespaces");
        for (String ns : excluded) {
            if (!NAMESPACE.matcher(ns).matches()) {
                r.errors.add("excludedNamespaces: '" + ns + "' is not a namespace name");
            }
        }
        String optOut = r.string("optOutAnnotation");
        if (!ANNOTATION_KEY.matcher(optOut).matches()) {
            r.errors.add("optOutAnnotation: '" + optOut + "' is not an annotation key");
        }
        Settings.Server server = new Settings.Server(
                r.string("server.host"),
                r.port("server.port"),
                r.string("server.tlsCertFile"),
                r.string("server.tlsKeyFile"),
                r.integer("server.maxBodyBytes", 1024, 64 * 1024 * 1024),
                r.integer("server.maxHeaderBytes", 1024, 1024 * 1024),
                r.integer("server.requestTimeoutSeconds", 1, 300),
                r.integer("server.idleTimeoutSeconds", 1, 3600),
                r.integer("server.maxConnections", 1, 1_000_000));
        if (server.tlsCertFile().isEmpty() != server.tlsKeyFile().isEmpty()) {
            r.errors.add("server.tlsCertFile, server.tlsKeyFile: set both or neither");
        }
        Settings.Ops ops = new Settings.Ops(r.string("ops.host"), r.port("ops.port"));
        Settings.PullFailures pullFailures = new Settings.PullFailures(
                r.bool("pullFailures.enabled"),
                r.list("pullFailures.namespaces"),
                r.integer("pullFailures.maxEntries", 1, 1_000_000),
                r.integer("pullFailures.retentionMinutes", 1, 60 * 24 * 90));
        String format = r.string("logging.format");
        if (!format.equals("text") && !format.equals("json")) {
            r.errors.add("logging.format: '" + format + "' must be text or json");
        }
        String level = r.string("logging.level");
        if (!List.of("error", "warn", "info", "debug").contains(level)) {
            r.errors.add("logging.level: '" + level + "' must be error, warn, info or debug");
        }
        Settings.Shutdown shutdown = new Settings.Shutdown(r.integer("shutdown.drainSeconds", 0, 300));

        List<CacheRule> rules = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        RuleImport.read(r.values.get("rules"), "rules", rules, r.errors, warnings);
        RuleSet ruleSet = null;
        if (hubs != null) {
            try {
                ruleSet = RuleSet.compile(rules, hubs);
            } catch (RuleSetException e) {
                e.errors().forEach(msg -> r.errors.add("rules: " + msg));
            }
        }
        if (!r.errors.isEmpty()) {
            throw new ConfigException(r.errors);
        }
        Settings settings = new Settings(
                loginServer,
                mode,
                hubHosts,
                Set.copyOf(excluded),
                optOut,
                List.copyOf(rules),
                server,
                ops,
                pullFailures,
                new Settings.Logging(format, level),
                shutdown);
        return LoadedConfig.of(settings, ruleSet, warnings);
    }

    private static JsonNode defaultRules() {
        var list = NODES.arrayNode();
        list.addObject().put("name", "docker-hub").put("source", "docker.io/*").put("target", "docker/*");
        return list;
    }

    private static JsonNode fromText(String path, String text) {
        if (LIST_KEYS.contains(path)) {
            var list = NODES.arrayNode();
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    list.add(part.trim());
                }
            }
            return list;
        }
        return NODES.stringNode(text.trim());
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

        String string(String path) {
            JsonNode v = values.get(path);
            if (v == null || v.isNull()) {
                return "";
            }
            if (v.isString() || v.isNumber() || v.isBoolean()) {
                return v.asString().trim();
            }
            errors.add(path + ": must be a string");
            return "";
        }

        int integer(String path, int min, int max) {
            JsonNode v = values.get(path);
            long n;
            if (v != null && v.isIntegralNumber()) {
                n = v.asLong();
            } else {
                try {
                    n = Long.parseLong(string(path));
                } catch (NumberFormatException e) {
                    errors.add(path + ": '" + (v == null ? "" : v.asString()) + "' is not a whole number");
                    return min;
                }
            }
            if (n < min || n > max) {
                errors.add(path + ": " + n + " is out of range " + min + ".." + max);
                return min;
            }
            return (int) n;
        }

        int port(String path) {
            return integer(path, 0, 65535);
        }

        boolean bool(String path) {
            JsonNode v = values.get(path);
            if (v != null && v.isBoolean()) {
                return v.booleanValue();
            }
            String s = string(path).toLowerCase(Locale.ROOT);
            if (s.equals("true") || s.equals("false")) {
                return Boolean.parseBoolean(s);
            }
            errors.add(path + ": '" + s + "' must be true or false");
            return false;
        }

        <E extends Enum<E>> E oneOf(String path, Class<E> type) {
            String s = string(path);
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(s)) {
                    return e;
                }
            }
            errors.add(path + ": '" + s + "' must be one of "
                    + List.of(type.getEnumConstants()).toString().toLowerCase(Locale.ROOT));
            return type.getEnumConstants()[0];
        }

        List<String> list(String path) {
            JsonNode v = values.get(path);
            List<String> out = new ArrayList<>();
            if (v == null || v.isNull()) {
                return out;
            }
            if (!v.isArray()) {
                errors.add(path + ": must be a list");
                return out;
            }
            for (int i = 0; i < v.size(); i++) {
                JsonNode item = v.get(i);
                if (item.isString() && !item.stringValue().isBlank()) {
                    out.add(item.stringValue().trim());
                } else {
                    errors.add(path + "[" + i + "]: must be a non-empty string");
                }
            }
            return List.copyOf(out);
        }
    }
}

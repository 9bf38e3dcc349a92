package io.acrcache.webhook.config;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Typed access to the merged values; each bad value adds an error naming its key (and its variable, if any). */
final class KeyReader {
    private final Sources.Merged merged;
    final List<String> errors;

    KeyReader(Sources.Merged merged, List<String> errors) {
        this.merged = merged;
        this.errors = errors;
    }

    /** Whether the file or the environment set the key. */
    boolean given(String path) {
        return merged.given(path);
    }

    /** Every key read by its definition: path → String, Integer, Boolean, List, Map or (rules) a node. */
    Map<String, Object> readAll() {
        Map<String, Object> typed = new HashMap<>();
        for (SettingDef def : SettingsCatalog.ALL) {
            typed.put(def.path(), read(def));
        }
        return typed;
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
        String env = merged.envNames().get(field.substring(0, end));
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
            case RULES -> value(def);
            case MAP -> map(def);
        };
    }

    private JsonNode value(SettingDef def) {
        return merged.values().get(def.path());
    }

    private Map<String, String> map(SettingDef def) {
        JsonNode v = value(def);
        Map<String, String> out = new TreeMap<>();
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
        return Collections.unmodifiableMap(out);
    }

    private String checked(SettingDef def, String value) {
        if (def.pattern() != null && !def.pattern().matcher(value).matches()) {
            error(def.path(), "'" + value + "' is not " + def.patternName());
        }
        return value;
    }

    private String string(SettingDef def) {
        JsonNode v = value(def);
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
        JsonNode v = value(def);
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
        JsonNode v = value(def);
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
        JsonNode v = value(def);
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

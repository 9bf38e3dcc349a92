package io.acrcache.webhook.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One configuration key, defined once: its path in the YAML file, its kind, its default (written as its environment
 * variable would be), the range, pattern or choices a value must keep to, and what it does. The loader, {@code --help},
 * the README table and the chart's values schema all follow from these (the last two are checked by tests).
 *
 * @param path dotted path in the YAML file; also names the {@link Settings} record component it binds to
 * @param kind what the value is
 * @param defaultText the default as an environment variable writes it (lists comma-separated, rules as YAML)
 * @param min least whole number ({@link Kind#INTEGER} only)
 * @param max greatest whole number ({@link Kind#INTEGER} only)
 * @param pattern what a text (or each item of a list) must match in full; null for anything
 * @param patternName what a value matching {@code pattern} is, for the error message ("a namespace name")
 * @param choices the allowed values ({@link Kind#CHOICE} only), compared ignoring case
 * @param lowercase whether a text is lowercased before it is checked
 * @param description what the key does, for {@code --help} and the README (Markdown code spans allowed)
 */
public record SettingDef(
        String path,
        Kind kind,
        String defaultText,
        long min,
        long max,
        Pattern pattern,
        String patternName,
        List<String> choices,
        boolean lowercase,
        String description) {

    /** What a value is, which decides how it is read and how the schema types it. */
    public enum Kind {
        STRING,
        INTEGER,
        BOOLEAN,
        /** Texts; an environment variable gives them comma-separated. */
        LIST,
        CHOICE,
        /** The cache rules: a list of objects, read by {@link RuleImport}. */
        RULES,
        /** Names to texts; an environment variable gives them as {@code name=value} pairs, comma-separated. */
        MAP
    }

    public SettingDef {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(defaultText, "defaultText");
        Objects.requireNonNull(description, "description");
        choices = List.copyOf(choices);
    }

    public static SettingDef text(String path, String defaultText, String description) {
        return new SettingDef(path, Kind.STRING, defaultText, 0, 0, null, null, List.of(), false, description);
    }

    public static SettingDef integer(String path, long defaultValue, long min, long max, String description) {
        return new SettingDef(
                path, Kind.INTEGER, Long.toString(defaultValue), min, max, null, null, List.of(), false, description);
    }

    /** A TCP port; 0 picks a free one. */
    public static SettingDef port(String path, int defaultValue, String description) {
        return integer(path, defaultValue, 0, 65535, description);
    }

    public static SettingDef bool(String path, boolean defaultValue, String description) {
        return new SettingDef(
                path, Kind.BOOLEAN, Boolean.toString(defaultValue), 0, 0, null, null, List.of(), false, description);
    }

    public static SettingDef list(String path, List<String> defaultValue, String description) {
        return new SettingDef(
                path, Kind.LIST, String.join(",", defaultValue), 0, 0, null, null, List.of(), false, description);
    }

    public static SettingDef choice(String path, String defaultValue, List<String> choices, String description) {
        return new SettingDef(path, Kind.CHOICE, defaultValue, 0, 0, null, null, choices, false, description);
    }

    /** A choice bound as the enum of {@code defaultValue}; the choices are its constants' labels. */
    public static SettingDef choice(String path, Enum<?> defaultValue, String description) {
        return choice(path, Binder.label(defaultValue), Binder.labels(defaultValue.getDeclaringClass()), description);
    }

    /** A mapping of names to texts (empty by default); {@code pattern} applies to each value. */
    public static SettingDef map(String path, String description) {
        return new SettingDef(path, Kind.MAP, "", 0, 0, null, null, List.of(), false, description);
    }

    public static SettingDef rules(String path, String defaultYaml, String description) {
        return new SettingDef(path, Kind.RULES, defaultYaml, 0, 0, null, null, List.of(), false, description);
    }

    /** The same key, whose text (or each list item) must match {@code regex} in full; else "is not {@code name}". */
    public SettingDef matching(String regex, String name) {
        return new SettingDef(
                path, kind, defaultText, min, max, Pattern.compile(regex), name, choices, lowercase, description);
    }

    /** The same key, whose text is lowercased before it is checked and used. */
    public SettingDef lowercased() {
        return new SettingDef(path, kind, defaultText, min, max, pattern, patternName, choices, true, description);
    }

    /** {@code server.tlsCertFile} → {@code ACW_SERVER_TLS_CERT_FILE}. */
    public String env() {
        StringBuilder sb = new StringBuilder("ACW_");
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '.') {
                sb.append('_');
            } else if (Character.isUpperCase(c)) {
                sb.append('_').append(c);
            } else {
                sb.append(Character.toUpperCase(c));
            }
        }
        return sb.toString().toUpperCase(Locale.ROOT);
    }
}

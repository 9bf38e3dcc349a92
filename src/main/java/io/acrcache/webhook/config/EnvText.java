package io.acrcache.webhook.config;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.util.List;

/** A value as an environment variable (or a default) writes it: lists comma-separated, rules as YAML or JSON. */
final class EnvText {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private EnvText() {}

    /** The node the file would have held; a problem is added to {@code errors} naming {@code source}. */
    static JsonNode parse(SettingDef def, String text, String source, List<String> errors) {
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
                    return Sources.YAML.readTree(text);
                } catch (JacksonException e) {
                    errors.add(source + ": not valid YAML or JSON (" + Sources.firstLine(e) + ")");
                    return NODES.arrayNode();
                }
            }
            default -> {
                return NODES.stringNode(text.trim());
            }
        }
    }
}

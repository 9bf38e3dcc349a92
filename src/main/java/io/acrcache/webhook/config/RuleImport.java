package io.acrcache.webhook.config;

import io.acrcache.webhook.rules.CacheRule;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Set;

/**
 * Reads the {@code rules} list in either shape: hand-written {@code {name?, source, target}}, or what {@code az acr
 * cache list -o json} prints (flat {@code sourceRepository}/{@code targetRepository}, or the ARM shape with the same
 * keys under {@code properties}). Rules ACR has not finished provisioning are skipped with a warning, as ACR would not
 * serve them either.
 */
final class RuleImport {
    private static final Set<String> HAND_WRITTEN_KEYS = Set.of("name", "source", "target");

    private RuleImport() {}

    static void read(JsonNode list, String field, List<CacheRule> rules, List<String> errors, List<String> warnings) {
        if (!list.isArray()) {
            errors.add(field + ": must be a list of rules");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode item = list.get(i);
            if (!item.isObject()) {
                errors.add(at + ": must be an object with source and target");
                continue;
            }
            JsonNode body = item.has("properties") && item.get("properties").isObject() ? item.get("properties") : item;
            String name = text(item.get("name"));
            String label = name == null || name.isBlank() ? at : name;
            if (body.has("sourceRepository") || body.has("targetRepository")) {
                String state = text(body.get("provisioningState"));
                if (state != null && !state.equals("Succeeded")) {
                    warnings.add("rule " + label + " (" + at + ") skipped: provisioningState is " + state
                            + ", not Succeeded");
                    continue;
                }
                add(
                        rules,
                        name,
                        stringField(body, "sourceRepository", at, errors),
                        stringField(body, "targetRepository", at, errors));
            } else {
                for (String key : item.propertyNames()) {
                    if (!HAND_WRITTEN_KEYS.contains(key)) {
                        errors.add(at + "." + key + ": unknown key (a rule has name, source and target)");
                    }
                }
                add(rules, name, stringField(item, "source", at, errors), stringField(item, "target", at, errors));
            }
        }
    }

    /**
     * An unnamed rule is named by its source (unique, since ACR refuses two rules with one source): a metric label that
     * stays the same when the list is reordered, unlike its position.
     */
    private static void add(List<CacheRule> rules, String name, String source, String target) {
        if (source != null && target != null) {
            rules.add(new CacheRule(name == null || name.isBlank() ? source.trim() : name, source, target));
        }
    }

    private static String stringField(JsonNode node, String key, String at, List<String> errors) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            errors.add(at + "." + key + ": is required");
            return null;
        }
        if (!value.isString()) {
            errors.add(at + "." + key + ": must be a string");
            return null;
        }
        return value.stringValue();
    }

    private static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }
}

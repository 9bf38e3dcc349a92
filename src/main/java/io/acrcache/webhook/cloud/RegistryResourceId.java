package io.acrcache.webhook.cloud;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container registry's ARM resource ID,
 * {@code /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerRegistry/registries/<name>}. ARM treats
 * the fixed segments case-insensitively, so does this parser; the registry name follows ACR's rule (5-50 letters and
 * digits).
 */
public record RegistryResourceId(String subscriptionId, String resourceGroup, String registryName) {
    public static final String FIELD = "registry.resourceId";
    private static final Pattern SHAPE = Pattern.compile(
            "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.ContainerRegistry/registries/([^/]+)/?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SUBSCRIPTION = Pattern.compile("[0-9A-Fa-f-]{1,64}");
    // ARM: letters, digits, underscores, hyphens, periods and parentheses, up to 90, not ending in a period
    private static final Pattern RESOURCE_GROUP = Pattern.compile("[-\\w.()]{0,89}[-\\w()]");
    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9]{5,50}");

    /** Parses with {@link #FIELD} as the field path in errors. */
    public static RegistryResourceId parse(String value) {
        return parse(FIELD, value);
    }

    /** @throws IllegalArgumentException whose message starts with {@code field} and says what is expected */
    public static RegistryResourceId parse(String field, String value) {
        String expected = " (expected /subscriptions/<subscription>/resourceGroups/<group>"
                + "/providers/Microsoft.ContainerRegistry/registries/<name>)";
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + ": is empty" + expected);
        }
        Matcher m = SHAPE.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    field + ": '" + value + "' is not a container registry's resource ID" + expected);
        }
        if (!SUBSCRIPTION.matcher(m.group(1)).matches()) {
            throw new IllegalArgumentException(
                    field + ": subscription '" + m.group(1) + "' is not a subscription ID (a GUID)");
        }
        if (!RESOURCE_GROUP.matcher(m.group(2)).matches()) {
            throw new IllegalArgumentException(field + ": resource group '" + m.group(2) + "' is not a valid name");
        }
        if (!REGISTRY.matcher(m.group(3)).matches()) {
            throw new IllegalArgumentException(
                    field + ": registry name '" + m.group(3) + "' must be 5-50 letters and digits");
        }
        return new RegistryResourceId(m.group(1), m.group(2), m.group(3));
    }

    /** For configuration validation: the problems with a value, each starting with {@code field}; empty when valid. */
    public static List<String> problems(String field, String value) {
        try {
            parse(field, value);
            return List.of();
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage());
        }
    }

    /** The canonical path, used to build ARM URLs. */
    public String path() {
        return "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
                + "/providers/Microsoft.ContainerRegistry/registries/" + registryName;
    }

    /** ARM IDs compare case-insensitively. */
    public static String normalize(String armId) {
        if (armId == null) {
            return null;
        }
        String s = armId.trim().toLowerCase(Locale.ROOT);
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return path();
    }
}

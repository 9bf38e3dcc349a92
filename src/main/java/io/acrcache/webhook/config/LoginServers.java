package io.acrcache.webhook.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place a registry's login server is derived from its name: an ARM id of the registry or of one of its cache
 * rules ({@code az acr cache list} prints them) names the registry, and Azure's public cloud serves it at
 * {@code <name>.azurecr.io}. Other clouds set {@code acrLoginServer} explicitly. Pure.
 */
public final class LoginServers {
    /** ACR registry names: 5 to 50 letters and digits. */
    private static final Pattern REGISTRY_NAME = Pattern.compile("[A-Za-z0-9]{5,50}");
    /** {@code /subscriptions/…/resourceGroups/…/providers/Microsoft.ContainerRegistry/registries/<name>[/…]}. */
    private static final Pattern REGISTRY_ID = Pattern.compile(
            "/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.ContainerRegistry/registries/([^/]+)(/.*)?",
            Pattern.CASE_INSENSITIVE);

    private LoginServers() {}

    /**
     * {@code MyRegistry} → {@code myregistry.azurecr.io}.
     *
     * @throws IllegalArgumentException when {@code name} is not an ACR registry name
     */
    public static String fromRegistryName(String name) {
        if (name == null || !REGISTRY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a registry name (5 to 50 letters and digits)");
        }
        return name.toLowerCase(Locale.ROOT) + ".azurecr.io";
    }

    /** The registry name in the ARM id of a registry or of anything under it (a cache rule); empty if it is none. */
    public static Optional<String> registryName(String resourceId) {
        if (resourceId == null) {
            return Optional.empty();
        }
        Matcher m = REGISTRY_ID.matcher(resourceId.trim());
        return m.matches() && REGISTRY_NAME.matcher(m.group(1)).matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
}

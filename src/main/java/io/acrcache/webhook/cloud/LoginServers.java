package io.acrcache.webhook.cloud;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry's login server from its name, for the clouds whose ARM endpoint and registry suffix are known. Anything
 * else (Azure Stack, a local fake) gives nothing: the login server is never guessed.
 */
public final class LoginServers {
    private static final Map<String, String> SUFFIX_BY_ARM_HOST = Map.of(
            "management.azure.com", "azurecr.io",
            "management.chinacloudapi.cn", "azurecr.cn",
            "management.usgovcloudapi.net", "azurecr.us");

    /** ACR registry names: 5 to 50 letters and digits. */
    private static final Pattern REGISTRY_NAME = Pattern.compile("[A-Za-z0-9]{5,50}");
    /** {@code /subscriptions/…/resourceGroups/…/providers/Microsoft.ContainerRegistry/registries/<name>[/…]}. */
    private static final Pattern REGISTRY_ID = Pattern.compile(
            "/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.ContainerRegistry/registries/([^/]+)(/.*)?",
            Pattern.CASE_INSENSITIVE);

    private LoginServers() {}

    /**
     * The registry name in the ARM id of a registry or of anything under it (a cache rule, as {@code az acr cache list}
     * prints them); empty if it is none.
     */
    public static Optional<String> registryName(String resourceId) {
        if (resourceId == null) {
            return Optional.empty();
        }
        Matcher m = REGISTRY_ID.matcher(resourceId.trim());
        return m.matches() && REGISTRY_NAME.matcher(m.group(1)).matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    public static Optional<String> fromRegistry(String registryName, String armEndpoint) {
        if (registryName == null || registryName.isBlank() || armEndpoint == null) {
            return Optional.empty();
        }
        String host;
        try {
            host = URI.create(armEndpoint.trim()).getHost();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (host == null) {
            return Optional.empty();
        }
        String suffix = SUFFIX_BY_ARM_HOST.get(host.toLowerCase(Locale.ROOT));
        // ACR login servers are the registry name in lower case
        return suffix == null ? Optional.empty() : Optional.of(registryName.toLowerCase(Locale.ROOT) + "." + suffix);
    }
}

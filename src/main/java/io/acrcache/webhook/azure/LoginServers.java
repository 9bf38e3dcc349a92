package io.acrcache.webhook.azure;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The registry's login server from its name, for the clouds whose ARM endpoint and registry suffix are known. Anything
 * else (Azure Stack, a local fake) gives nothing: the login server is never guessed.
 */
public final class LoginServers {
    private static final Map<String, String> SUFFIX_BY_ARM_HOST = Map.of(
            "management.azure.com", "azurecr.io",
            "management.chinacloudapi.cn", "azurecr.cn",
            "management.usgovcloudapi.net", "azurecr.us");

    private LoginServers() {}

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

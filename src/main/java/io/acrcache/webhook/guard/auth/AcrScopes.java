package io.acrcache.webhook.guard.auth;

import java.util.Locale;
import java.util.Map;

/**
 * The Entra scope of ACR data-plane tokens, by the cloud of the login server (its DNS suffix, as
 * {@code azure.LoginServers} derives it per ARM endpoint). The one place that maps a login server to its audience.
 */
public final class AcrScopes {
    public static final String PUBLIC = "https://containerregistry.azure.net/.default";
    private static final Map<String, String> BY_SUFFIX = Map.of(
            ".azurecr.io", PUBLIC,
            ".azurecr.cn", "https://containerregistry.azure.cn/.default",
            ".azurecr.us", "https://containerregistry.azure.us/.default");

    private AcrScopes() {}

    /** The scope for this login server; the public cloud's for any other host (local registries, tests). */
    public static String of(String loginServer) {
        String host = loginServer.toLowerCase(Locale.ROOT);
        int colon = host.lastIndexOf(':');
        host = colon > 0 ? host.substring(0, colon) : host;
        for (Map.Entry<String, String> e : BY_SUFFIX.entrySet()) {
            if (host.endsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return PUBLIC;
    }
}

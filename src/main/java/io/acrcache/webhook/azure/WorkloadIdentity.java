package io.acrcache.webhook.azure;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Azure workload identity as the AKS mutating webhook injects it into a Pod labelled
 * {@code azure.workload.identity/use: "true"}: {@code AZURE_CLIENT_ID}, {@code AZURE_TENANT_ID},
 * {@code AZURE_FEDERATED_TOKEN_FILE} (the projected service-account token, rotated by the kubelet) and
 * {@code AZURE_AUTHORITY_HOST} (e.g. {@code https://login.microsoftonline.com/}).
 *
 * @param authorityHost always ends with {@code /}
 */
public record WorkloadIdentity(String clientId, String tenantId, Path federatedTokenFile, URI authorityHost) {
    public static final String CLIENT_ID = "AZURE_CLIENT_ID";
    public static final String TENANT_ID = "AZURE_TENANT_ID";
    public static final String TOKEN_FILE = "AZURE_FEDERATED_TOKEN_FILE";
    public static final String AUTHORITY_HOST = "AZURE_AUTHORITY_HOST";
    /** The public cloud's authority, used when {@code AZURE_AUTHORITY_HOST} is unset (as azure-identity does). */
    public static final String PUBLIC_CLOUD_AUTHORITY = "https://login.microsoftonline.com/";

    /** Whether the Pod carries workload identity at all (any of the variables set). */
    /** What is missing when the Pod has no workload identity, in words an operator can act on. */
    public static final String MISSING = "no Azure workload identity: " + CLIENT_ID + ", " + TENANT_ID + " and "
            + TOKEN_FILE + " are not set (is the Pod labelled azure.workload.identity/use=true and its service account"
            + " annotated with the client ID?)";

    /**
     * The one Entra ID token source of the process, shared by whatever signs in with the Pod's workload identity (the
     * registry sync for ARM, the registry guard for ACR). Without the workload identity variables (or with some
     * missing) it is a source that fails naming them, so each user reports the cause and the webhook still starts.
     *
     * @param closeables where the source is registered to be closed at stop (first, before the client it uses)
     */
    public static AccessTokenSource tokens(
            Vertx vertx,
            WebClient client,
            Map<String, String> env,
            MeterRegistry registry,
            List<AutoCloseable> closeables) {
        if (!present(env)) {
            // said by whoever needs it (the registry sync, the guard); running without Azure is normal
            return AccessTokenSource.unavailable(MISSING);
        }
        try {
            EntraTokenSource tokens = new EntraTokenSource(vertx, client, fromEnv(env));
            tokens.bindMetrics(registry);
            closeables.add(0, tokens);
            return tokens;
        } catch (IllegalArgumentException e) {
            String why = e.getMessage().replace('\n', ' ');
            Logger.getLogger(WorkloadIdentity.class.getName()).warning(why);
            return AccessTokenSource.unavailable(why);
        }
    }

    public static boolean present(Map<String, String> env) {
        return List.of(CLIENT_ID, TENANT_ID, TOKEN_FILE, AUTHORITY_HOST).stream()
                .anyMatch(k -> !blank(env.get(k)));
    }

    /**
     * Reads the identity from the environment.
     *
     * @throws IllegalArgumentException naming every missing or invalid variable (one per line)
     */
    public static WorkloadIdentity fromEnv(Map<String, String> env) {
        List<String> errors = new ArrayList<>();
        String clientId = required(env, CLIENT_ID, errors);
        String tenantId = required(env, TENANT_ID, errors);
        if (tenantId != null && !tenantId.matches("[A-Za-z0-9.-]+")) {
            errors.add(TENANT_ID + ": '" + tenantId + "' is not a tenant ID or domain");
        }
        String file = required(env, TOKEN_FILE, errors);
        String host = blank(env.get(AUTHORITY_HOST))
                ? PUBLIC_CLOUD_AUTHORITY
                : env.get(AUTHORITY_HOST).trim();
        URI authority = null;
        try {
            authority = new URI(host.endsWith("/") ? host : host + "/");
            if (!"https".equalsIgnoreCase(authority.getScheme()) || authority.getHost() == null) {
                errors.add(AUTHORITY_HOST + ": '" + host + "' must be an https URL such as " + PUBLIC_CLOUD_AUTHORITY);
            }
        } catch (URISyntaxException e) {
            errors.add(AUTHORITY_HOST + ": '" + host + "' is not a URL: " + e.getMessage());
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(
                    "Azure workload identity is incomplete (is the Pod labelled azure.workload.identity/use=true?):\n"
                            + String.join("\n", errors));
        }
        return new WorkloadIdentity(clientId, tenantId, Path.of(file), authority);
    }

    /** {@code {authorityHost}{tenant}/oauth2/v2.0/token}. */
    public URI tokenEndpoint() {
        return authorityHost.resolve(tenantId + "/oauth2/v2.0/token");
    }

    private static String required(Map<String, String> env, String key, List<String> errors) {
        String value = env.get(key);
        if (blank(value)) {
            errors.add(key + ": is not set");
            return null;
        }
        return value.trim();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

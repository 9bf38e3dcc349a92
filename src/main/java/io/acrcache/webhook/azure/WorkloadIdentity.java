package io.acrcache.webhook.azure;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

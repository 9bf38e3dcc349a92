package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.WorkloadIdentity;
import io.acrcache.webhook.guard.auth.Jwt;
import io.acrcache.webhook.outbound.OutboundException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Link 0, the webhook's own identity: an Entra ID token for ARM. Entra's refusals are explained by their AADSTS code;
 * the federated credential's issuer and subject come from the projected service-account token itself, so the fix can be
 * pasted as is.
 */
final class IdentityCheck {
    static final String ID = "identity";
    static final String TITLE = "Entra ID token for ARM (workload identity)";
    private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d+)");

    private IdentityCheck() {}

    static Future<List<Check>> run(Chain chain) {
        if (chain.arm == null) {
            return Future.succeededFuture(
                    List.of(Check.skip(ID, TITLE, "registry.resourceId is not set: nothing is read over ARM")));
        }
        String scope = chain.arm.scope();
        return chain.tokens.token(scope).transform(ar -> {
            if (ar.succeeded()) {
                chain.armToken = true;
                return Future.succeededFuture(List.of(Check.pass(
                        ID,
                        TITLE,
                        "token for " + scope + " (client id " + chain.clientId() + "), valid until "
                                + ar.result().expiresAt())));
            }
            return federatedClaims(chain).map(claims -> List.of(explain(chain, ar.cause(), claims)));
        });
    }

    /** {@code iss} and {@code sub} of the projected token, placeholders when it cannot be read. */
    private static Future<String[]> federatedClaims(Chain chain) {
        String file = chain.env.get(WorkloadIdentity.TOKEN_FILE);
        String[] fallback = {"<cluster OIDC issuer URL>", "system:serviceaccount:<namespace>:<service account>"};
        if (file == null || file.isBlank()) {
            return Future.succeededFuture(fallback);
        }
        return chain.vertx
                .fileSystem()
                .readFile(file)
                .map(b -> {
                    JsonObject p = Jwt.payload(
                                    b.toString(StandardCharsets.UTF_8).trim())
                            .orElse(new JsonObject());
                    return new String[] {p.getString("iss", fallback[0]), p.getString("sub", fallback[1])};
                })
                .otherwise(fallback);
    }

    static Check explain(Chain chain, Throwable cause, String[] claims) {
        String message = cause instanceof OutboundException o ? o.describe() : String.valueOf(cause.getMessage());
        if (cause instanceof OutboundException o && "NoWorkloadIdentity".equals(o.code())) {
            return Check.fail(
                    ID,
                    TITLE,
                    message,
                    "install the chart with --set azure.workloadIdentity.clientId=<client id of the managed identity>"
                            + " (the Pod is labelled azure.workload.identity/use=true and the service account"
                            + " annotated); the cluster needs --enable-oidc-issuer --enable-workload-identity");
        }
        if (cause instanceof OutboundException o && o.kind() == OutboundException.Kind.TOKEN_FILE) {
            return Check.fail(
                    ID,
                    TITLE,
                    message,
                    "the projected service-account token is missing: check that the Pod is labelled"
                            + " azure.workload.identity/use=true and that the workload identity webhook runs"
                            + " (az aks update --enable-workload-identity)");
        }
        Matcher m = AADSTS.matcher(message);
        String code = m.find() ? m.group(1) : "";
        String findIdentity = "az identity list --query \"[?clientId=='" + chain.clientId()
                + "'].{name:name, resourceGroup:resourceGroup}\"";
        String fix = switch (code) {
            case "70021", "700213", "700211", "700212" ->
                "no federated credential matches this Pod's token: "
                        + "az identity federated-credential create --name acr-cache-webhook"
                        + " --identity-name <identity> --resource-group <identity's group>"
                        + " --issuer " + claims[0] + " --subject " + claims[1]
                        + " --audiences api://AzureADTokenExchange (find <identity> with " + findIdentity + ")";
            case "700016", "7000215" ->
                "the client id is not an identity in this tenant: set the chart's"
                        + " azure.workloadIdentity.clientId to the managed identity's client id"
                        + " (az identity show -n <identity> -g <group> --query clientId -o tsv)";
            case "700024", "700027", "50013" ->
                "the service-account token was refused (expired or not"
                        + " signed as Entra expects): restart the Pod so the kubelet projects a fresh token, and"
                        + " check the federated credential's issuer: " + claims[0];
            case "90002", "900023", "90023" ->
                "AZURE_TENANT_ID is not the identity's tenant: set it to" + " az account show --query tenantId -o tsv";
            default ->
                cause instanceof OutboundException o
                                && (o.kind() == OutboundException.Kind.CONNECTION
                                        || o.kind() == OutboundException.Kind.TIMEOUT)
                        ? "allow egress from the Pod to "
                                + chain.env.getOrDefault(
                                        WorkloadIdentity.AUTHORITY_HOST, WorkloadIdentity.PUBLIC_CLOUD_AUTHORITY)
                                + " (Entra ID) on port 443"
                        : "check the workload identity set-up: " + findIdentity
                                + ", then az identity federated-credential list --identity-name <identity>"
                                + " --resource-group <group> (issuer " + claims[0] + ", subject " + claims[1]
                                + ")";
        };
        return Check.fail(ID, TITLE, message, fix);
    }
}

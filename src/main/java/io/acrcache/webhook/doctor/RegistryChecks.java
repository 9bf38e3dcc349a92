package io.acrcache.webhook.doctor;

import io.vertx.core.Future;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The registry resource ({@code Microsoft.ContainerRegistry/registries}): it exists, its login server is the configured
 * one, its SKU; and link 5, whether its network lets the cache reach Docker Hub and the cluster reach the registry.
 */
final class RegistryChecks {
    static final String ID = "registry";
    static final String TITLE = "Registry resource";
    static final String NETWORK_ID = "registry-network";
    static final String NETWORK_TITLE = "Registry network access";

    private RegistryChecks() {}

    static Future<List<Check>> run(Chain chain) {
        if (chain.arm == null) {
            return Future.succeededFuture(List.of(Check.skip(
                    ID,
                    TITLE,
                    "registry.resourceId is not set; set it (az acr show -n <registry> --query id -o tsv) to check"
                            + " the registry, its cache rules and credential sets")));
        }
        if (!chain.armToken) {
            return Future.succeededFuture(List.of(
                    Check.skip(ID, TITLE, "needs an ARM token (see identity)"),
                    Check.skip(NETWORK_ID, NETWORK_TITLE, "needs the registry resource")));
        }
        return chain.arm
                .get(chain.registry.path(), ArmReader.REGISTRY_API, null)
                .transform(ar -> Future.succeededFuture(
                        ar.succeeded() ? found(chain, ar.result()) : unreadable(chain, ar.cause())));
    }

    private static List<Check> unreadable(Chain chain, Throwable e) {
        Check skipNetwork = Check.skip(NETWORK_ID, NETWORK_TITLE, "needs the registry resource");
        if (ArmReader.denied(e)) {
            return List.of(
                    Check.warn(
                            ID,
                            TITLE,
                            "the identity may not read " + chain.registry.path() + " (" + ArmReader.describe(e) + ")",
                            grantReader(chain)),
                    skipNetwork);
        }
        if (ArmReader.notFound(e)) {
            return List.of(
                    Check.fail(
                            ID,
                            TITLE,
                            "no registry " + chain.registry.path() + " (" + ArmReader.describe(e) + ")",
                            "set registry.resourceId to the registry's id: az acr show -n <registry> --query id -o"
                                    + " tsv"),
                    skipNetwork);
        }
        return List.of(
                Check.warn(ID, TITLE, "ARM did not answer: " + ArmReader.describe(e), "run the doctor again"),
                skipNetwork);
    }

    static String grantReader(Chain chain) {
        return "az role assignment create --assignee " + chain.clientId() + " --role Reader --scope "
                + chain.registryIdOrPlaceholder();
    }

    private static List<Check> found(Chain chain, JsonNode registry) {
        chain.registryResource = registry;
        JsonNode p = registry.path("properties");
        String login = text(p.path("loginServer"));
        String sku = text(registry.path("sku").path("name"));
        List<Check> out = new ArrayList<>();
        String summary = chain.registry.registryName() + ", SKU " + (sku.isEmpty() ? "unknown" : sku)
                + ", login server " + login;
        if (!login.isEmpty() && !login.equalsIgnoreCase(chain.login())) {
            out.add(Check.fail(
                    ID,
                    TITLE,
                    summary + ", but acrLoginServer is " + chain.login() + ": images would be rewritten to a"
                            + " registry that is not this one",
                    "set acrLoginServer (ACW_ACR_LOGIN_SERVER) to " + login));
        } else {
            out.add(Check.pass(ID, TITLE, summary));
        }
        out.add(network(chain, p, sku));
        return out;
    }

    private static Check network(Chain chain, JsonNode p, String sku) {
        String defaultAction = text(p.path("networkRuleSet").path("defaultAction"));
        String bypass = text(p.path("networkRuleBypassOptions"));
        String publicAccess = text(p.path("publicNetworkAccess"));
        String state = "publicNetworkAccess " + or(publicAccess, "Enabled") + ", networkRuleSet.defaultAction "
                + or(defaultAction, "Allow") + ", networkRuleBypassOptions " + or(bypass, "AzureServices");
        boolean denies = defaultAction.equalsIgnoreCase("Deny") || publicAccess.equalsIgnoreCase("Disabled");
        if (denies && !bypass.isEmpty() && !bypass.equalsIgnoreCase("AzureServices")) {
            return Check.fail(
                    NETWORK_ID,
                    NETWORK_TITLE,
                    state + ": the registry denies by default and trusted services may not bypass, so the cache"
                            + " cannot fill from the upstream registry",
                    "az acr update -n " + chain.registryName() + " --allow-trusted-services true");
        }
        if (publicAccess.equalsIgnoreCase("Disabled")) {
            String privateZone = "privatelink." + loginSuffix(chain.login());
            return Check.warn(
                    NETWORK_ID,
                    NETWORK_TITLE,
                    state + ": the registry is reachable through private endpoints only, so the nodes (and this"
                            + " webhook) must resolve " + chain.login() + " to a private address",
                    "create a private endpoint for the registry in (or peered with) the cluster's VNet"
                            + " (az network private-endpoint create --group-id registry --private-connection-resource-id "
                            + chain.registryIdOrPlaceholder() + " ...) and link the private DNS zone " + privateZone
                            + " to that VNet");
        }
        String note = sku.equalsIgnoreCase("Premium") || defaultAction.isEmpty()
                ? ""
                : " (network rules apply to Premium registries only)";
        return Check.pass(NETWORK_ID, NETWORK_TITLE, state + note);
    }

    private static String loginSuffix(String login) {
        int dot = login.indexOf('.');
        return dot < 0 ? "azurecr.io" : login.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static String text(JsonNode n) {
        return n != null && n.isString() ? n.stringValue() : "";
    }

    private static String or(String s, String fallback) {
        return s.isEmpty() ? fallback : s;
    }
}

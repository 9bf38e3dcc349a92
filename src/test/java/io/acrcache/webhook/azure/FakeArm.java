package io.acrcache.webhook.azure;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;

/**
 * ARM for one registry's {@code cacheRules} and {@code credentialSets} lists, as management.azure.com answers them:
 * bearer token checked, api-version checked, pages of {@code pageSize} items with an absolute {@code nextLink}
 * ({@code $skipToken}), and ARM's error body {@code {"error":{"code","message"}}} with
 * {@code x-ms-correlation-request-id}. Faults are set per page ({@code "cacheRules#2"}) or for every request
 * ({@code "*"}).
 */
public final class FakeArm implements AutoCloseable {
    public static final String REGISTRY_ID =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup"
                    + "/providers/Microsoft.ContainerRegistry/registries/myRegistry";

    /** What to do instead of answering normally. */
    sealed interface Fault {}

    public record Status(int status, String code, String message, Map<String, String> headers) implements Fault {}

    /** Answer the normal body only after this delay. */
    public record Slow(long millis) implements Fault {}

    /** Close the connection without answering. */
    public record Drop() implements Fault {}

    /** 200 with a body that is not JSON / not ARM's shape. */
    public record Body(String body) implements Fault {}

    private final Vertx vertx;
    private final HttpServer server;
    private final BiPredicate<String, String> tokenValid;
    public final List<String> requests = new CopyOnWriteArrayList<>();
    /** When each request arrived (System.nanoTime), in the order of {@link #requests}. */
    public final List<Long> arrivals = new CopyOnWriteArrayList<>();

    public final Map<String, Fault> faults = new ConcurrentHashMap<>();
    public volatile JsonArray cacheRules;
    public volatile JsonArray credentialSets;
    volatile int pageSize = 2;

    /** @param tokenValid (bearer token, scope) → accepted; usually {@link FakeEntra#valid} */
    public FakeArm(Vertx vertx, BiPredicate<String, String> tokenValid) {
        this.vertx = vertx;
        this.tokenValid = tokenValid;
        this.cacheRules = fixture("azure/cache-rules.json");
        this.credentialSets = fixture("azure/credential-sets.json");
        this.server = FakeTls.https(vertx, this::handle);
    }

    public String endpoint() {
        return "https://localhost:" + server.actualPort();
    }

    public String scope() {
        return endpoint() + "/.default";
    }

    public static JsonArray fixture(String resource) {
        try (InputStream in = FakeArm.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getJsonArray("value");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cache rule named so, to change it in a test. */
    public JsonObject rule(String name) {
        return find(cacheRules, name);
    }

    public JsonObject credentialSet(String name) {
        return find(credentialSets, name);
    }

    private static JsonObject find(JsonArray list, String name) {
        for (int i = 0; i < list.size(); i++) {
            if (name.equals(list.getJsonObject(i).getString("name"))) {
                return list.getJsonObject(i);
            }
        }
        throw new IllegalArgumentException(name);
    }

    public long pagesServed(String collection) {
        return requests.stream().filter(r -> r.startsWith(collection)).count();
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        String base = REGISTRY_ID + "/";
        String collection = path.regionMatches(true, 0, base, 0, base.length()) ? path.substring(base.length()) : "";
        JsonArray items = collection.equals("cacheRules")
                ? cacheRules
                : collection.equals("credentialSets") ? credentialSets : null;
        int skip = request.getParam("$skipToken") == null ? 0 : Integer.parseInt(request.getParam("$skipToken"));
        int page = skip / pageSize + 1;
        arrivals.add(System.nanoTime());
        requests.add(collection + "#" + page);
        String auth = request.getHeader("Authorization");
        if (auth == null) {
            error(
                    request,
                    401,
                    "AuthenticationFailed",
                    "Authentication failed. The 'Authorization' header is missing.");
            return;
        }
        if (!auth.startsWith("Bearer ") || !tokenValid.test(auth.substring(7), scope())) {
            request.response()
                    .putHeader(
                            "WWW-Authenticate",
                            "Bearer authorization_uri=\"https://login.windows.net/\","
                                    + " error=\"invalid_token\", error_description=\"The access token is invalid.\"");
            error(request, 401, "InvalidAuthenticationToken", "The access token is invalid.");
            return;
        }
        if (answerOther(request)) {
            return;
        }
        if (!ArmRegistryClient.API_VERSION.equals(request.getParam("api-version"))) {
            error(
                    request,
                    400,
                    "InvalidApiVersionParameter",
                    "The api-version '" + request.getParam("api-version") + "' is invalid.");
            return;
        }
        if (items == null) {
            error(request, 404, "ResourceNotFound", "The Resource '" + path + "' was not found.");
            return;
        }
        Fault fault = faults.getOrDefault("*", faults.get(collection + "#" + page));
        if (fault instanceof Status s) {
            s.headers().forEach(request.response()::putHeader);
            error(request, s.status(), s.code(), s.message());
            return;
        }
        if (fault instanceof Drop) {
            request.connection().close();
            return;
        }
        if (fault instanceof Body b) {
            request.response().putHeader("Content-Type", "application/json").end(b.body());
            return;
        }
        JsonArray value = new JsonArray();
        for (int i = skip; i < Math.min(items.size(), skip + pageSize); i++) {
            value.add(items.getValue(i));
        }
        JsonObject body = new JsonObject().put("value", value);
        if (skip + pageSize < items.size()) {
            body.put(
                    "nextLink",
                    endpoint() + path + "?api-version=" + ArmRegistryClient.API_VERSION + "&$skipToken="
                            + (skip + pageSize));
        }
        Runnable answer = () -> request.response()
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("x-ms-correlation-request-id", UUID.randomUUID().toString())
                .end(body.encode());
        if (fault instanceof Slow slow) {
            vertx.setTimer(slow.millis(), id -> {
                if (!request.response().closed()) {
                    answer.run();
                }
            });
        } else {
            answer.run();
        }
    }

    private static void error(HttpServerRequest request, int status, String code, String message) {
        request.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("x-ms-correlation-request-id", UUID.randomUUID().toString())
                .putHeader("x-ms-failure-cause", "gateway")
                .end(new JsonObject()
                        .put("error", new JsonObject().put("code", code).put("message", message))
                        .encode());
    }

    // ---- Resources beyond the rule lists (the doctor reads them), each at its REST reference's api-version ----

    public static final String ROLE_ASSIGNMENTS_API = "2022-04-01";
    public static final String MANAGED_CLUSTERS_API = "2024-05-01";
    public static final String RESOURCES_API = "2021-04-01";
    public static final String SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000";
    public static final String ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
    public static final String KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

    /** {@code GET <REGISTRY_ID>}; null answers 404. */
    public volatile JsonObject registry = registryResource("myregistry.azurecr.io");
    /** Every role assignment, at any scope; a list at a scope answers those at, above and below it. */
    public final List<JsonObject> roleAssignments = new CopyOnWriteArrayList<>();
    /** Other resources by id (managed clusters, key vaults), for GET by id and for the subscription's resource list. */
    public final Map<String, JsonObject> resources = new ConcurrentHashMap<>();
    /** Path suffix (lower case) to a fault, for the resources above (e.g. 403 on roleAssignments). */
    public final Map<String, Fault> pathFaults = new ConcurrentHashMap<>();

    /** Adds a managed cluster or a vault (looked up by id case-insensitively, as ARM does). */
    public void resource(JsonObject r) {
        resources.put(r.getString("id").toLowerCase(java.util.Locale.ROOT), r);
    }

    public void cacheRules(JsonArray rules) {
        this.cacheRules = rules;
    }

    public void credentialSets(JsonArray sets) {
        this.credentialSets = sets;
    }

    /** ARM's 403 for a caller without the read permission. */
    public static Status authorizationFailed(String action, String scope) {
        return new Status(
                403,
                "AuthorizationFailed",
                "The client 'f1d2c3b4-0000-0000-0000-000000000000' with object id 'f1d2c3b4-0000-0000-0000-000000000000'"
                        + " does not have authorization to perform action '" + action + "' over scope '" + scope
                        + "' or the scope is invalid. If access was recently granted, please refresh your credentials.",
                Map.of());
    }

    /** A Premium registry open to the internet, as {@code registries/get} 2025-04-01 answers it. */
    public static JsonObject registryResource(String loginServer) {
        return new JsonObject()
                .put("id", REGISTRY_ID)
                .put("name", "myRegistry")
                .put("type", "Microsoft.ContainerRegistry/registries")
                .put("location", "westus")
                .put("tags", new JsonObject())
                .put("sku", new JsonObject().put("name", "Premium").put("tier", "Premium"))
                .put(
                        "properties",
                        new JsonObject()
                                .put("loginServer", loginServer)
                                .put("creationDate", "2025-05-01T08:00:00.0000000Z")
                                .put("provisioningState", "Succeeded")
                                .put("adminUserEnabled", false)
                                .put(
                                        "networkRuleSet",
                                        new JsonObject()
                                                .put("defaultAction", "Allow")
                                                .put("ipRules", new JsonArray()))
                                .put("publicNetworkAccess", "Enabled")
                                .put("networkRuleBypassOptions", "AzureServices")
                                .put("zoneRedundancy", "Disabled")
                                .put("anonymousPullEnabled", false)
                                .put("dataEndpointEnabled", false));
    }

    /** {@code Microsoft.Authorization/roleAssignments} 2022-04-01. */
    public static JsonObject roleAssignment(String scope, String roleDefinitionGuid, String principalId) {
        String name = UUID.nameUUIDFromBytes(
                        (scope + roleDefinitionGuid + principalId).getBytes(StandardCharsets.UTF_8))
                .toString();
        return new JsonObject()
                .put("id", scope + "/providers/Microsoft.Authorization/roleAssignments/" + name)
                .put("name", name)
                .put("type", "Microsoft.Authorization/roleAssignments")
                .put(
                        "properties",
                        new JsonObject()
                                .put(
                                        "roleDefinitionId",
                                        SUBSCRIPTION + "/providers/Microsoft.Authorization/roleDefinitions/"
                                                + roleDefinitionGuid)
                                .put("principalId", principalId)
                                .put("principalType", "ServicePrincipal")
                                .put("scope", scope)
                                .putNull("condition")
                                .putNull("conditionVersion")
                                .put("createdOn", "2025-05-01T08:00:00.0000000Z")
                                .put("updatedOn", "2025-05-01T08:00:00.0000000Z")
                                .putNull("delegatedManagedIdentityResourceId")
                                .putNull("description"));
    }

    /** {@code Microsoft.ContainerService/managedClusters} 2024-05-01 with a kubelet managed identity. */
    public static JsonObject managedCluster(String id, String kubeletObjectId) {
        String name = id.substring(id.lastIndexOf('/') + 1);
        return new JsonObject()
                .put("id", id)
                .put("name", name)
                .put("type", "Microsoft.ContainerService/ManagedClusters")
                .put("location", "westus")
                .put(
                        "identity",
                        new JsonObject()
                                .put("type", "SystemAssigned")
                                .put("principalId", "9d3c2b1a-0000-4000-8000-000000000001")
                                .put("tenantId", FakeEntra.TENANT))
                .put(
                        "properties",
                        new JsonObject()
                                .put("provisioningState", "Succeeded")
                                .put("kubernetesVersion", "1.30.3")
                                .put("dnsPrefix", name)
                                .put(
                                        "identityProfile",
                                        new JsonObject()
                                                .put(
                                                        "kubeletidentity",
                                                        new JsonObject()
                                                                .put(
                                                                        "resourceId",
                                                                        SUBSCRIPTION + "/resourceGroups/MC_" + name
                                                                                + "/providers/Microsoft.ManagedIdentity"
                                                                                + "/userAssignedIdentities/" + name
                                                                                + "-agentpool")
                                                                .put("clientId", "3f2e1d0c-0000-4000-8000-000000000002")
                                                                .put("objectId", kubeletObjectId)))
                                .put(
                                        "oidcIssuerProfile",
                                        new JsonObject()
                                                .put("enabled", true)
                                                .put("issuerURL", "https://westus.oic.prod-aks.azure.com/t/u/")));
    }

    /** A Key Vault as the subscription's generic resource list shows it. */
    public static JsonObject vault(String group, String name) {
        return new JsonObject()
                .put("id", SUBSCRIPTION + "/resourceGroups/" + group + "/providers/Microsoft.KeyVault/vaults/" + name)
                .put("name", name)
                .put("type", "Microsoft.KeyVault/vaults")
                .put("location", "westus");
    }

    /** Answers a request for the resources above; false for the rule lists, which the code before handles. */
    private boolean answerOther(HttpServerRequest request) {
        String path = request.path();
        String lower = path.toLowerCase(java.util.Locale.ROOT);
        String registry = REGISTRY_ID.toLowerCase(java.util.Locale.ROOT);
        String version = request.getParam("api-version");
        String expected;
        JsonObject single = null;
        JsonArray list = null;
        if (lower.endsWith("/providers/microsoft.authorization/roleassignments")) {
            expected = ROLE_ASSIGNMENTS_API;
            String scope =
                    lower.substring(0, lower.length() - "/providers/microsoft.authorization/roleassignments".length());
            String principal = filterValue(request.getParam("$filter"), "principalId");
            list = new JsonArray();
            for (JsonObject a : roleAssignments) {
                JsonObject p = a.getJsonObject("properties");
                String at = p.getString("scope").toLowerCase(java.util.Locale.ROOT);
                boolean related = at.equals(scope) || scope.startsWith(at + "/") || at.startsWith(scope + "/");
                if (related && (principal == null || principal.equalsIgnoreCase(p.getString("principalId")))) {
                    list.add(a);
                }
            }
        } else if (lower.equals(registry)) {
            expected = ArmRegistryClient.API_VERSION;
            single = this.registry;
        } else if (lower.startsWith(registry + "/credentialsets/")) {
            expected = ArmRegistryClient.API_VERSION;
            String name = path.substring(path.lastIndexOf('/') + 1);
            for (int i = 0; i < credentialSets.size(); i++) {
                if (name.equalsIgnoreCase(credentialSets.getJsonObject(i).getString("name"))) {
                    single = credentialSets.getJsonObject(i);
                }
            }
        } else if (lower.equals(SUBSCRIPTION + "/resources")) {
            expected = RESOURCES_API;
            String type = filterValue(request.getParam("$filter"), "resourceType");
            String name = filterValue(request.getParam("$filter"), "name");
            list = new JsonArray();
            for (JsonObject r : resources.values()) {
                if ((type == null || type.equalsIgnoreCase(r.getString("type")))
                        && (name == null || name.equalsIgnoreCase(r.getString("name")))) {
                    list.add(new JsonObject()
                            .put("id", r.getString("id"))
                            .put("name", r.getString("name"))
                            .put("type", r.getString("type"))
                            .put("location", r.getString("location")));
                }
            }
        } else if (lower.contains("/providers/microsoft.containerservice/managedclusters/")) {
            expected = MANAGED_CLUSTERS_API;
            single = resources.get(lower);
        } else {
            return false;
        }
        for (Map.Entry<String, Fault> f : pathFaults.entrySet()) {
            if (lower.endsWith(f.getKey()) && f.getValue() instanceof Status s) {
                error(request, s.status(), s.code(), s.message());
                return true;
            }
        }
        if (!expected.equals(version)) {
            error(request, 400, "InvalidApiVersionParameter", "The api-version '" + version + "' is invalid.");
        } else if (list != null) {
            request.response()
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(new JsonObject().put("value", list).encode());
        } else if (single == null) {
            error(request, 404, "ResourceNotFound", "The Resource '" + path + "' was not found.");
        } else {
            request.response()
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(single.encode());
        }
        return true;
    }

    /** {@code field eq 'value'} out of an OData {@code $filter}, or null. */
    private static String filterValue(String filter, String field) {
        if (filter == null) {
            return null;
        }
        var m = java.util.regex.Pattern.compile("(?i)\\b" + field + " eq '([^']*)'")
                .matcher(filter);
        return m.find() ? m.group(1) : null;
    }

    @Override
    public void close() {
        FakeTls.await(server.close());
    }
}

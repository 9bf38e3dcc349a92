package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.azure.ArmRegistryClient;
import io.acrcache.webhook.cloud.ArmEndpoint;
import io.acrcache.webhook.outbound.OutboundException;
import io.acrcache.webhook.outbound.OutboundException.Kind;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The ARM reads the doctor needs beyond {@link ArmRegistryClient} (the registry resource, one credential set, role
 * assignments, a managed cluster, a resource lookup): one GET with the identity's ARM token, or a list followed along
 * {@code nextLink} on the same endpoint. A failure is an {@link OutboundException} with ARM's error code
 * ({@code AuthorizationFailed}, {@code ResourceNotFound}, ...), so a check can tell "not allowed to read" from
 * "broken".
 */
final class ArmReader {
    static final String REGISTRY_API = ArmRegistryClient.API_VERSION;
    static final String ROLE_ASSIGNMENTS_API = "2022-04-01";
    static final String MANAGED_CLUSTERS_API = "2024-05-01";
    static final String RESOURCES_API = "2021-04-01";
    private static final int MAX_PAGES = 50;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebClient client;
    private final AccessTokenSource tokens;
    private final String endpoint;
    private final String scope;
    private final Duration timeout;

    ArmReader(WebClient client, AccessTokenSource tokens, String armEndpoint, Duration timeout) {
        this.client = client;
        this.tokens = tokens;
        this.endpoint = ArmEndpoint.check(armEndpoint);
        this.scope = ArmRegistryClient.scopeFor(this.endpoint);
        this.timeout = timeout;
    }

    String scope() {
        return scope;
    }

    /** {@code GET <endpoint><path>?api-version=<version>[&<query>]}. */
    Future<JsonNode> get(String path, String apiVersion, String query) {
        return send(url(path, apiVersion, query), path);
    }

    /** Every {@code value} item of a list, all pages. */
    Future<List<JsonNode>> list(String path, String apiVersion, String query) {
        return page(url(path, apiVersion, query), path, new ArrayList<>(), 1);
    }

    private String url(String path, String apiVersion, String query) {
        return endpoint + path + "?api-version=" + apiVersion + (query == null ? "" : "&" + query);
    }

    private Future<List<JsonNode>> page(String url, String what, List<JsonNode> acc, int n) {
        if (n > MAX_PAGES) {
            return Future.failedFuture(new OutboundException(Kind.MALFORMED, what + ": too many pages"));
        }
        return send(url, what).compose(body -> {
            body.path("value").forEach(acc::add);
            JsonNode next = body.path("nextLink");
            if (!next.isString() || next.stringValue().isBlank()) {
                return Future.succeededFuture(acc);
            }
            // the bearer token goes to the configured ARM endpoint only
            if (!next.stringValue().startsWith(endpoint + "/")) {
                return Future.failedFuture(
                        new OutboundException(Kind.MALFORMED, what + ": nextLink leaves " + endpoint));
            }
            return page(next.stringValue(), what, acc, n + 1);
        });
    }

    private Future<JsonNode> send(String url, String what) {
        return tokens.token(scope)
                .recover(e -> Future.failedFuture(new OutboundException(
                        Kind.TOKEN,
                        e instanceof OutboundException o ? o.code() : null,
                        "no ARM token: " + e.getMessage())))
                .compose(token -> client.getAbs(url)
                        .putHeader("Accept", "application/json")
                        .bearerTokenAuthentication(token.token())
                        .followRedirects(false)
                        .timeout(timeout.toMillis())
                        .send()
                        .recover(e -> Future.failedFuture(OutboundException.transport(e, "ARM " + what))))
                .compose(response -> answer(response, what));
    }

    private static Future<JsonNode> answer(HttpResponse<Buffer> response, String what) {
        JsonNode body;
        try {
            Buffer b = response.body();
            body = b == null || b.length() == 0 ? null : JSON.readTree(b.getBytes());
        } catch (JacksonException e) {
            body = null;
        }
        int status = response.statusCode();
        if (status == 200 && body != null && body.isObject()) {
            return Future.succeededFuture(body);
        }
        if (status == 200) {
            return Future.failedFuture(new OutboundException(Kind.MALFORMED, "ARM " + what + ": not a JSON object"));
        }
        JsonNode error = body == null ? null : body.path("error");
        String code = error != null && error.path("code").isString()
                ? error.path("code").stringValue()
                : null;
        String message = error != null && error.path("message").isString()
                ? error.path("message").stringValue()
                : null;
        return Future.failedFuture(new OutboundException(
                Kind.ofStatus(status), code, "ARM answered " + status + (message == null ? "" : ": " + message)));
    }

    /** Whether ARM refused for lack of permission (as opposed to the thing being absent or ARM failing). */
    static boolean denied(Throwable e) {
        return e instanceof OutboundException o
                && (o.kind() == Kind.FORBIDDEN
                        || "AuthorizationFailed".equalsIgnoreCase(o.code())
                        || "LinkedAuthorizationFailed".equalsIgnoreCase(o.code()));
    }

    static boolean notFound(Throwable e) {
        return e instanceof OutboundException o
                && (o.kind() == Kind.NOT_FOUND
                        || "ResourceNotFound".equalsIgnoreCase(o.code())
                        || "ResourceGroupNotFound".equalsIgnoreCase(o.code())
                        || "SubscriptionNotFound".equalsIgnoreCase(o.code()));
    }

    static String describe(Throwable e) {
        return e instanceof OutboundException o ? o.describe() : String.valueOf(e.getMessage());
    }

    /** The last path segment of an ARM id or URL ({@code .../roleDefinitions/<guid>} → guid). */
    static String lastSegment(String id) {
        if (id == null) {
            return "";
        }
        String s = id.endsWith("/") ? id.substring(0, id.length() - 1) : id;
        return s.substring(s.lastIndexOf('/') + 1);
    }

    static String host(String url) {
        try {
            String h = URI.create(url).getHost();
            return h == null ? "" : h;
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}

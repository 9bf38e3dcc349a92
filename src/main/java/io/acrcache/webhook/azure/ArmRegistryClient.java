package io.acrcache.webhook.azure;

import io.acrcache.webhook.azure.RegistrySnapshot.AuthCredential;
import io.acrcache.webhook.azure.RegistrySnapshot.CacheRuleResource;
import io.acrcache.webhook.azure.RegistrySnapshot.CredentialHealth;
import io.acrcache.webhook.azure.RegistrySnapshot.CredentialSetResource;
import io.acrcache.webhook.cloud.ArmEndpoint;
import io.acrcache.webhook.cloud.RegistryResourceId;
import io.acrcache.webhook.outbound.OutboundException;
import io.acrcache.webhook.outbound.OutboundException.Kind;
import io.acrcache.webhook.outbound.RetryAfter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Lists a registry's {@code cacheRules} and {@code credentialSets} over ARM with a pinned stable api-version, following
 * {@code nextLink} to the last page. Any failing page fails the whole fetch, so a caller never sees half a registry.
 * Every failure is an {@link OutboundException} with a bounded kind, ARM's error code and message, and
 * {@code Retry-After} when ARM throttles.
 */
public final class ArmRegistryClient implements RegistrySnapshotSource {
    /** Stable since 2025-04; the first stable with cache rules was 2023-07-01. See docs/azure.md. */
    public static final String API_VERSION = "2025-04-01";

    /** Far above ACR's 1,000 rules at ARM's page sizes; a longer chain means a server loop. */
    static final int MAX_PAGES = 200;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebClient client;
    private final AccessTokenSource tokens;
    private final RegistryResourceId registry;
    private final URI armEndpoint;
    private final String scope;
    private final AzureHttp.Timeouts timeouts;
    private final Clock clock;

    public ArmRegistryClient(
            WebClient client,
            AccessTokenSource tokens,
            RegistryResourceId registry,
            String armEndpoint,
            AzureHttp.Timeouts timeouts,
            Clock clock) {
        this.client = client;
        this.tokens = tokens;
        this.registry = registry;
        String base = ArmEndpoint.check(armEndpoint);
        this.armEndpoint = URI.create(base);
        this.scope = scopeFor(base);
        this.timeouts = timeouts;
        this.clock = clock;
    }

    /** The Entra scope for ARM calls: the endpoint's origin plus {@code /.default}. */
    public static String scopeFor(String armEndpoint) {
        URI uri = URI.create(armEndpoint.trim());
        String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
        return uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + uri.getHost() + port + "/.default";
    }

    public String scope() {
        return scope;
    }

    public RegistryResourceId registry() {
        return registry;
    }

    @Override
    public Future<RegistrySnapshot> fetch() {
        return tokens.token(scope)
                .recover(e -> Future.failedFuture(new OutboundException(
                        Kind.TOKEN,
                        e instanceof OutboundException a ? a.code() : null,
                        "no Entra ID token for " + scope + ": "
                                + (e instanceof OutboundException a ? a.describe() : String.valueOf(e.getMessage())))))
                .compose(token -> listAll("cacheRules", ArmRegistryClient::cacheRule, token)
                        .compose(rules -> listAll("credentialSets", ArmRegistryClient::credentialSet, token)
                                .map(sets -> new RegistrySnapshot(rules, sets, clock.instant()))));
    }

    private <T> Future<List<T>> listAll(String collection, Function<JsonNode, T> item, AccessToken token) {
        String first = armEndpoint + registry.path() + "/" + collection + "?api-version=" + API_VERSION;
        return page(first, collection, item, token, new ArrayList<>(), 1);
    }

    private <T> Future<List<T>> page(
            String url, String collection, Function<JsonNode, T> item, AccessToken token, List<T> acc, int n) {
        if (n > MAX_PAGES) {
            return Future.failedFuture(new OutboundException(
                    Kind.MALFORMED, null, collection + ": more than " + MAX_PAGES + " pages; nextLink loops?"));
        }
        String what = "ARM " + collection + " page " + n;
        return AzureHttp.deadline(
                        AzureHttp.bounded(client.getAbs(url), timeouts)
                                .putHeader("Accept", "application/json")
                                .bearerTokenAuthentication(token.token())
                                .send(),
                        timeouts)
                .recover(e -> Future.failedFuture(OutboundException.transport(e, what)))
                .compose(response -> {
                    if (response.statusCode() != 200) {
                        return Future.failedFuture(error(response, what));
                    }
                    JsonNode body;
                    try {
                        Buffer b = response.body();
                        body = b == null ? null : JSON.readTree(b.getBytes());
                    } catch (JacksonException e) {
                        return Future.failedFuture(new OutboundException(
                                Kind.MALFORMED, null, what + ": not JSON: " + e.getOriginalMessage()));
                    }
                    if (body == null || !body.path("value").isArray()) {
                        return Future.failedFuture(
                                new OutboundException(Kind.MALFORMED, null, what + ": no \"value\" list"));
                    }
                    try {
                        for (JsonNode node : body.path("value")) {
                            acc.add(item.apply(node));
                        }
                    } catch (IllegalArgumentException e) {
                        return Future.failedFuture(
                                new OutboundException(Kind.MALFORMED, null, what + ": " + e.getMessage()));
                    }
                    JsonNode next = body.path("nextLink");
                    if (!next.isString() || next.stringValue().isBlank()) {
                        return Future.succeededFuture(acc);
                    }
                    URI nextUri;
                    try {
                        nextUri = URI.create(next.stringValue());
                    } catch (IllegalArgumentException e) {
                        return Future.failedFuture(
                                new OutboundException(Kind.MALFORMED, null, what + ": nextLink is not a URL"));
                    }
                    // the bearer token goes to the configured ARM endpoint only
                    if (!nextUri.isAbsolute() || !AzureHttp.origin(nextUri).equals(AzureHttp.origin(armEndpoint))) {
                        return Future.failedFuture(new OutboundException(
                                Kind.MALFORMED, null, what + ": nextLink leaves " + armEndpoint + ": " + nextUri));
                    }
                    return page(nextUri.toString(), collection, item, token, acc, n + 1);
                });
    }

    private OutboundException error(HttpResponse<Buffer> response, String what) {
        int status = response.statusCode();
        String code = null;
        String message = null;
        try {
            Buffer b = response.body();
            JsonNode error = b == null ? null : JSON.readTree(b.getBytes()).path("error");
            if (error != null && error.isObject()) {
                code = text(error.path("code"));
                message = text(error.path("message"));
            }
        } catch (JacksonException ignored) {
            // an error page that is not ARM's JSON: the status alone says enough
        }
        Kind kind = Kind.ofStatus(status);
        String correlation = response.getHeader("x-ms-correlation-request-id");
        String text = what + ": HTTP " + status + (message == null ? "" : ": " + message)
                + (correlation == null ? "" : " (correlation id " + correlation + ")");
        return new OutboundException(kind, code, text, RetryAfter.of(response, clock));
    }

    public static CacheRuleResource cacheRule(JsonNode node) {
        String name = required(node, "name", "cache rule");
        JsonNode p = properties(node, name);
        return new CacheRuleResource(
                name,
                text(node.path("id")),
                required(p, "sourceRepository", "cache rule " + name),
                required(p, "targetRepository", "cache rule " + name),
                text(p.path("credentialSetResourceId")),
                text(p.path("provisioningState")));
    }

    public static CredentialSetResource credentialSet(JsonNode node) {
        String name = required(node, "name", "credential set");
        JsonNode p = properties(node, name);
        List<AuthCredential> credentials = new ArrayList<>();
        JsonNode list = p.path("authCredentials");
        if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
            throw new IllegalArgumentException("credential set " + name + ": authCredentials is not a list");
        }
        for (JsonNode c : list) {
            JsonNode h = c.path("credentialHealth");
            CredentialHealth health = h.isObject()
                    ? new CredentialHealth(
                            text(h.path("status")), text(h.path("errorCode")), text(h.path("errorMessage")))
                    : null;
            credentials.add(new AuthCredential(text(c.path("name")), health));
        }
        return new CredentialSetResource(
                name,
                text(node.path("id")),
                text(p.path("loginServer")),
                text(p.path("provisioningState")),
                credentials);
    }

    private static JsonNode properties(JsonNode node, String name) {
        JsonNode p = node.path("properties");
        if (!p.isObject()) {
            throw new IllegalArgumentException(name + ": no properties object");
        }
        return p;
    }

    private static String required(JsonNode node, String field, String what) {
        String value = text(node.path(field));
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + ": " + field + " is missing");
        }
        return value;
    }

    private static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }
}

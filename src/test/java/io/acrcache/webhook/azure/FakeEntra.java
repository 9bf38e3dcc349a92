package io.acrcache.webhook.azure;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Entra ID v2.0 token endpoint for the client-credentials grant with a federated client assertion, as
 * {@code login.microsoftonline.com} speaks it: form in, {@code {token_type, expires_in, ext_expires_in, access_token}}
 * out, or an OAuth error body {@code {error, error_description, error_codes, timestamp, trace_id, correlation_id,
 * error_uri}} with an AADSTS code. The client assertion must equal the token file's content at the time of the request.
 */
public final class FakeEntra implements AutoCloseable {
    public static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public static final String CLIENT_ID = "5a1d0e8c-7b3f-4c55-9c1d-3b2e9f0a7d64";

    /** A canned answer instead of the normal behaviour. */
    public record Answer(int status, JsonObject body, Map<String, String> headers) {}

    private final HttpServer server;
    private final Path tokenFile;
    public final List<MultiMap> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Issued> issued = new ConcurrentHashMap<>();
    private final AtomicInteger serial = new AtomicInteger();
    volatile long expiresIn = 3599;
    /** When set, every request gets this answer (after the request is recorded). */
    public volatile Answer override;

    public record Issued(String scope, Instant expiresAt) {}

    public FakeEntra(Vertx vertx, Path tokenFile) {
        this.tokenFile = tokenFile;
        this.server = FakeTls.https(vertx, this::handle);
    }

    public URI authorityHost() {
        return URI.create("https://localhost:" + server.actualPort() + "/");
    }

    public WorkloadIdentity identity() {
        return WorkloadIdentity.fromEnv(env());
    }

    /** Whether a bearer token was issued here for this scope and has not expired (what ARM checks). */
    public boolean valid(String token, String scope) {
        Issued i = issued.get(token);
        return i != null && i.scope().equals(scope) && Instant.now().isBefore(i.expiresAt());
    }

    public long requestsFor(String scope) {
        return requests.stream().filter(r -> scope.equals(r.get("scope"))).count();
    }

    public static Answer error(int status, String error, int aadsts, String description) {
        String trace = UUID.randomUUID().toString();
        String correlation = UUID.randomUUID().toString();
        JsonObject body = new JsonObject()
                .put("error", error)
                .put(
                        "error_description",
                        "AADSTS" + aadsts + ": " + description + "\r\nTrace ID: " + trace + "\r\nCorrelation ID: "
                                + correlation + "\r\nTimestamp: " + Instant.now())
                .put("error_codes", new JsonArray().add(aadsts))
                .put("timestamp", Instant.now().toString())
                .put("trace_id", trace)
                .put("correlation_id", correlation)
                .put("error_uri", "https://login.microsoftonline.com/error?code=" + aadsts);
        return new Answer(status, body, Map.of());
    }

    private void handle(HttpServerRequest request) {
        request.setExpectMultipart(true);
        request.endHandler(v -> {
            MultiMap form = MultiMap.caseInsensitiveMultiMap().addAll(request.formAttributes());
            requests.add(form);
            Answer answer = override != null ? override : answer(request, form);
            var response = request.response().setStatusCode(answer.status());
            answer.headers().forEach(response::putHeader);
            response.putHeader("Content-Type", "application/json; charset=utf-8")
                    .putHeader("Cache-Control", "no-store, no-cache")
                    .end(answer.body().encode());
        });
    }

    private Answer answer(HttpServerRequest request, MultiMap form) {
        if (request.method() != io.vertx.core.http.HttpMethod.POST
                || !request.path().equals("/" + TENANT + "/oauth2/v2.0/token")) {
            return error(
                    404,
                    "invalid_request",
                    900023,
                    "Specified tenant identifier is neither a valid DNS name" + " nor a valid external domain.");
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
        }
        if (!CLIENT_ID.equals(form.get("client_id"))) {
            return error(
                    400,
                    "unauthorized_client",
                    700016,
                    "Application with identifier '" + form.get("client_id") + "' was not found in the directory.");
        }
        String scope = form.get("scope");
        if (scope == null || !scope.endsWith("/.default")) {
            return error(400, "invalid_scope", 1002012, "The provided value for scope " + scope + " is not valid.");
        }
        if (!EntraTokenSource.CLIENT_ASSERTION_TYPE.equals(form.get("client_assertion_type"))) {
            return error(
                    400,
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter:" + " 'client_assertion_type'.");
        }
        String current;
        try {
            current = Files.readString(tokenFile).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!current.equals(form.get("client_assertion"))) {
            return error(400, "invalid_client", 700024, "Client assertion is not within its valid time range.");
        }
        String token =
                "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake-" + serial.incrementAndGet() + "." + UUID.randomUUID();
        long lifetime = expiresIn;
        issued.put(token, new Issued(scope, Instant.now().plusSeconds(lifetime)));
        return new Answer(
                200,
                new JsonObject()
                        .put("token_type", "Bearer")
                        .put("expires_in", lifetime)
                        .put("ext_expires_in", lifetime)
                        .put("access_token", token),
                Map.of());
    }

    /** The workload identity variables the webhook's Pod would carry, pointing at this fake. */
    public Map<String, String> env() {
        return Map.of(
                WorkloadIdentity.CLIENT_ID,
                CLIENT_ID,
                WorkloadIdentity.TENANT_ID,
                TENANT,
                WorkloadIdentity.TOKEN_FILE,
                tokenFile.toString(),
                WorkloadIdentity.AUTHORITY_HOST,
                authorityHost().toString());
    }

    /** Every request from now on gets this OAuth error (null: answer normally again). */
    public void refuse(int status, String error, int aadsts, String description) {
        override = error == null ? null : error(status, error, aadsts, description);
    }

    @Override
    public void close() {
        FakeTls.await(server.close());
    }
}

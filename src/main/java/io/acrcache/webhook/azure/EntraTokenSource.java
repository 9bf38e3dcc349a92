package io.acrcache.webhook.azure;

import io.acrcache.webhook.outbound.Backoff;
import io.acrcache.webhook.outbound.OutboundException;
import io.acrcache.webhook.outbound.OutboundException.Kind;
import io.acrcache.webhook.outbound.RefreshingToken;
import io.acrcache.webhook.outbound.RetryAfter;
import io.acrcache.webhook.outbound.Scheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Entra ID access tokens for workload identity, fetched with the OAuth 2.0 client-credentials grant and a federated
 * client assertion ({@code POST {authority}{tenant}/oauth2/v2.0/token}) on the Vert.x web client.
 *
 * <ul>
 *   <li>The federated token file is read anew (asynchronously) for every token request: the kubelet rotates it.
 *   <li>Tokens are cached per scope and refreshed in the background at 80 % of their lifetime or 5 minutes before
 *       expiry, whichever comes first (never before half of it), so {@link #token} answers with a completed future in
 *       the steady state.
 *   <li>The first call for a scope starts a fetch and gets its future; later callers share it.
 *   <li>A failed fetch is retried in the background with exponential back-off (and at least {@code Retry-After});
 *       meanwhile a still valid token keeps being served, an expired one is not: callers get the failure.
 * </ul>
 */
public final class EntraTokenSource implements AccessTokenSource, AutoCloseable {
    public static final String TOKEN_EXPIRY_METRIC = "acw.azure.token.expires.in";
    public static final String TOKEN_FAILURES_METRIC = "acw.azure.token.failures";
    static final String CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static final Logger LOG = Logger.getLogger(EntraTokenSource.class.getName());
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(5);
    private static final Duration MIN_REFRESH_DELAY = Duration.ofMillis(500);

    /** Request bounds and the retry back-off after a failed fetch (doubling from min to max). */
    public record Options(AzureHttp.Timeouts timeouts, Duration minRetry, Duration maxRetry) {
        public static final Options DEFAULT =
                new Options(AzureHttp.Timeouts.DEFAULT, Duration.ofSeconds(1), Duration.ofMinutes(1));
    }

    private final Vertx vertx;
    private final WebClient client;
    private final WorkloadIdentity identity;
    private final Options options;
    private final RefreshingToken.Policy policy;
    private final Clock clock;
    private final Map<String, ScopeState> scopes = new ConcurrentHashMap<>();
    private final Map<Kind, AtomicLong> failures = new EnumMap<>(Kind.class);
    private volatile MeterRegistry meters;
    private volatile boolean closed;

    public EntraTokenSource(Vertx vertx, WebClient client, WorkloadIdentity identity, Options options, Clock clock) {
        this.vertx = vertx;
        this.client = client;
        this.identity = identity;
        this.options = options;
        this.policy = policy(options);
        this.clock = clock;
        for (Kind kind : Kind.callFailures()) {
            failures.put(kind, new AtomicLong());
        }
    }

    public EntraTokenSource(Vertx vertx, WebClient client, WorkloadIdentity identity) {
        this(vertx, client, identity, Options.DEFAULT, Clock.systemUTC());
    }

    @Override
    public Future<AccessToken> token(String scope) {
        if (closed) {
            return Future.failedFuture(new IllegalStateException("token source closed"));
        }
        return scopes.computeIfAbsent(scope, ScopeState::new).token.get();
    }

    /** Seconds until the cached token of each scope expires (negative once expired); scopes without a token absent. */
    public Map<String, Double> secondsToExpiry() {
        Map<String, Double> out = new TreeMap<>();
        Instant now = clock.instant();
        scopes.forEach((scope, state) -> {
            AccessToken t = state.token.current();
            if (t != null) {
                out.put(scope, Duration.between(now, t.expiresAt()).toMillis() / 1000.0);
            }
        });
        return out;
    }

    public OptionalDouble secondsToExpiry(String scope) {
        Double s = secondsToExpiry().get(scope);
        return s == null ? OptionalDouble.empty() : OptionalDouble.of(s);
    }

    /** Failed token requests since start, by cause. */
    public Map<Kind, Long> failures() {
        Map<Kind, Long> out = new EnumMap<>(Kind.class);
        failures.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** The last failure for a scope, until a fetch succeeds again. */
    public Optional<OutboundException> lastFailure(String scope) {
        ScopeState s = scopes.get(scope);
        return s == null ? Optional.empty() : Optional.ofNullable(s.lastFailure());
    }

    /**
     * Registers {@value #TOKEN_FAILURES_METRIC} (counter by {@code reason}) and {@value #TOKEN_EXPIRY_METRIC} (gauge in
     * seconds by {@code scope}, added when a scope is first requested).
     */
    public void bindMetrics(MeterRegistry registry) {
        this.meters = registry;
        failures.forEach((cause, count) -> registerFailureCounter(registry, cause, count));
        scopes.values().forEach(s -> s.registerGauge(registry));
    }

    private static void registerFailureCounter(MeterRegistry registry, Kind cause, AtomicLong count) {
        io.micrometer.core.instrument.FunctionCounter.builder(TOKEN_FAILURES_METRIC, count, AtomicLong::get)
                .description("Failed Entra ID token requests, by reason")
                .tag("reason", cause.label())
                .register(registry);
    }

    @Override
    public void close() {
        closed = true;
        scopes.values().forEach(s -> s.token.close());
    }

    /**
     * Delay before refreshing a token of this lifetime: 80 % of it or 5 minutes before expiry, whichever comes first,
     * but never before half of it (so a short-lived token is not refreshed in a loop).
     */
    static Duration refreshDelay(Duration lifetime) {
        return policy(Options.DEFAULT).refreshDelay(lifetime);
    }

    /** Callers fail fast with the last failure while a background retry is scheduled: Entra is not hammered. */
    private static RefreshingToken.Policy policy(Options options) {
        return new RefreshingToken.Policy(
                80,
                REFRESH_BEFORE_EXPIRY,
                MIN_REFRESH_DELAY,
                new Backoff(options.minRetry(), options.maxRetry()),
                true);
    }

    private Future<AccessToken> fetch(String scope) {
        String file = identity.federatedTokenFile().toString();
        return vertx.fileSystem()
                .readFile(file)
                .recover(e -> Future.failedFuture(new OutboundException(
                        Kind.TOKEN_FILE,
                        null,
                        "cannot read the federated token file " + file + " (" + rootMessage(e) + ")")))
                .compose(content -> {
                    String assertion = content.toString(StandardCharsets.UTF_8).trim();
                    if (assertion.isEmpty()) {
                        return Future.failedFuture(new OutboundException(
                                Kind.TOKEN_FILE, null, "the federated token file " + file + " is empty"));
                    }
                    MultiMap form = MultiMap.caseInsensitiveMultiMap()
                            .add("grant_type", "client_credentials")
                            .add("client_id", identity.clientId())
                            .add("scope", scope)
                            .add("client_assertion_type", CLIENT_ASSERTION_TYPE)
                            .add("client_assertion", assertion);
                    Instant sent = clock.instant();
                    String url = identity.tokenEndpoint().toString();
                    return AzureHttp.deadline(
                                    AzureHttp.bounded(client.postAbs(url), options.timeouts())
                                            .putHeader("Accept", "application/json")
                                            .sendForm(form),
                                    options.timeouts())
                            .recover(e -> Future.failedFuture(OutboundException.transport(e, "Entra ID " + url)))
                            .compose(response -> answer(response, sent));
                });
    }

    private Future<AccessToken> answer(HttpResponse<Buffer> response, Instant sent) {
        int status = response.statusCode();
        JsonNode body;
        try {
            Buffer b = response.body();
            body = b == null ? null : JSON.readTree(b.getBytes());
        } catch (JacksonException e) {
            body = null;
        }
        if (status == 200) {
            if (body == null
                    || !body.path("access_token").isString()
                    || body.path("access_token").stringValue().isEmpty()
                    || !body.path("expires_in").canConvertToLong()) {
                return Future.failedFuture(new OutboundException(
                        Kind.MALFORMED, null, "Entra ID answered 200 without access_token and expires_in"));
            }
            long expiresIn = body.path("expires_in").asLong();
            if (expiresIn <= 0) {
                return Future.failedFuture(
                        new OutboundException(Kind.MALFORMED, null, "Entra ID answered expires_in " + expiresIn));
            }
            // expiry counted from when the request left, never later than the server meant
            return Future.succeededFuture(
                    new AccessToken(body.path("access_token").stringValue(), sent.plusSeconds(expiresIn)));
        }
        String error = body == null ? null : textOrNull(body.path("error"));
        String description = body == null ? null : textOrNull(body.path("error_description"));
        String message = "Entra ID answered " + status
                + (description == null ? "" : ": " + firstLine(description))
                + (error == null && description == null ? " without an OAuth error body" : "");
        Kind cause;
        if (status == 429) {
            cause = Kind.THROTTLED;
        } else if (status >= 500) {
            cause = Kind.SERVER_ERROR;
        } else if (error == null) {
            cause = Kind.MALFORMED;
        } else {
            cause = Kind.REJECTED;
        }
        Duration retryAfter = RetryAfter.of(response, clock);
        return Future.failedFuture(new OutboundException(cause, error, message, retryAfter));
    }

    /** AADSTS descriptions carry a trace and correlation id on further lines; the first line says what is wrong. */
    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        int cr = s.indexOf('\r');
        int end = nl < 0 ? cr : cr < 0 ? nl : Math.min(nl, cr);
        return end < 0 ? s : s.substring(0, end);
    }

    private static String textOrNull(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }

    /** One scope's token, kept warm, and its expiry gauge. */
    private final class ScopeState implements RefreshingToken.Listener<AccessToken> {
        private final String scope;
        private final RefreshingToken<AccessToken> token;
        private boolean gaugeRegistered; // guarded by this

        ScopeState(String scope) {
            this.scope = scope;
            this.token = new RefreshingToken<>(
                    () -> fetch(scope).recover(e -> Future.failedFuture(OutboundException.transport(e, "Entra ID"))),
                    AccessToken::expiresAt,
                    AccessToken::expiresAt,
                    policy,
                    Scheduler.of(vertx),
                    clock,
                    this);
            MeterRegistry registry = meters;
            if (registry != null) {
                registerGauge(registry);
            }
        }

        @Override
        public void failed(Throwable cause, int failuresInRow, Duration retryIn) {
            OutboundException e = (OutboundException) cause;
            failures.get(e.kind()).incrementAndGet();
            LOG.log(
                    failuresInRow == 1 ? Level.WARNING : Level.FINE,
                    "Entra ID token for " + scope + " failed (" + e.describe() + "); retrying in " + retryIn.toMillis()
                            + " ms");
        }

        OutboundException lastFailure() {
            return (OutboundException) token.lastFailure();
        }

        synchronized void registerGauge(MeterRegistry registry) {
            if (gaugeRegistered) {
                return;
            }
            gaugeRegistered = true;
            Gauge.builder(TOKEN_EXPIRY_METRIC, this, s -> {
                        AccessToken t = s.token.current();
                        return t == null
                                ? Double.NaN
                                : Duration.between(clock.instant(), t.expiresAt())
                                                .toMillis()
                                        / 1000.0;
                    })
                    .description("Seconds until the cached Entra ID token for a scope expires")
                    .baseUnit("seconds")
                    .tag("scope", scope)
                    .strongReference(true)
                    .register(registry);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}

package io.acrcache.webhook.guard;

import io.acrcache.webhook.guard.auth.BearerChallenge;
import io.acrcache.webhook.guard.auth.Challenges;
import io.acrcache.webhook.outbound.RetryAfter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import javax.net.ssl.SSLException;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * {@code GET /v2/} without credentials, for the heartbeat and to learn how the registry authenticates: 200 (open) or
 * 401 with a Bearer challenge (learned) mean the registry is up.
 */
final class RegistryPing {
    private static final Logger LOG = Logger.getLogger(RegistryPing.class.getName());
    private final WebClient client;
    private final Challenges challenges;
    private final GuardSettings settings;
    private final Clock clock;
    private final Set<String> explained = ConcurrentHashMap.newKeySet();

    RegistryPing(WebClient client, Challenges challenges, GuardSettings settings, Clock clock) {
        this.client = client;
        this.challenges = challenges;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * A TLS failure says what to do, once per login server: the JVM does not trust the registry's certificate (a
     * private CA, a proxy), or the registry speaks plain HTTP, which the guard does not.
     */
    private void explainTls(String loginServer, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException && explained.add(loginServer)) {
                LOG.warning("guard: TLS with " + loginServer + " failed (" + t.getMessage() + "): if the registry's"
                        + " certificate comes from a private CA (or a proxy's), set guard.caFile to that CA's PEM"
                        + " bundle; a registry that speaks plain HTTP is not supported");
                return;
            }
        }
    }

    /** Never fails: every failure is a classified result. */
    Future<ProbeResult> ping(String loginServer) {
        return client.getAbs(settings.scheme() + "://" + loginServer + "/v2/")
                .connectTimeout(settings.connectTimeout().toMillis())
                .timeout(settings.requestTimeout().toMillis())
                .send()
                .transform(ar -> {
                    if (ar.failed()) {
                        explainTls(loginServer, ar.cause());
                        return Future.succeededFuture(ProbeResult.unavailable(ar.cause()));
                    }
                    HttpResponse<Buffer> resp = ar.result();
                    int status = resp.statusCode();
                    if (status == 200) {
                        challenges.answeredOpen(loginServer);
                        return Future.succeededFuture(ProbeResult.of(ProbeResult.Outcome.SERVABLE, "/v2/ 200"));
                    }
                    if (status == 401) {
                        BearerChallenge.parse(resp.getHeader("Www-Authenticate"))
                                .ifPresent(c -> challenges.learn(loginServer, c));
                        return Future.succeededFuture(ProbeResult.of(ProbeResult.Outcome.SERVABLE, "/v2/ 401"));
                    }
                    if (status == 429) {
                        return Future.succeededFuture(new ProbeResult(
                                ProbeResult.Outcome.REGISTRY_THROTTLED,
                                null,
                                ProbeResult.Origin.ABSENT,
                                RetryAfter.of(resp, clock),
                                "/v2/ 429"));
                    }
                    return Future.succeededFuture(
                            ProbeResult.of(ProbeResult.Outcome.UNAVAILABLE, "/v2/ answered " + status));
                });
    }
}

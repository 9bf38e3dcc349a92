package io.acrcache.webhook.guard;

import io.acrcache.webhook.guard.auth.BearerChallenge;
import io.acrcache.webhook.guard.auth.Challenges;
import io.acrcache.webhook.guard.auth.RegistryAuthorizer;
import io.acrcache.webhook.image.ManifestMediaTypes;
import io.acrcache.webhook.outbound.RetryAfter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * {@code HEAD /v2/<repository>/manifests/<tag|digest>} on the login server, never GET (a GET of a manifest is a Docker
 * Hub pull; a HEAD is not), with no retries on the admission path.
 *
 * <p>Classification. A HEAD answer has no body, so ACR's error text ("authentication required with source registry for
 * cache rule ...", "too many requests to source registry ...") can only be seen where ACR puts it in a header. The
 * probe searches the body when one is present and every header value ({@code Www-Authenticate}'s
 * {@code error_description} included) for "source registry"; without that text a 401/403 is read as our own auth
 * failing (registry breaker, token dropped, no inline retry, so no refresh loop) and a 429 as the registry throttling
 * us. Both misreadings only ever leave more images alone. Which headers ACR really sets on such a HEAD is unverified
 * (to check against a live registry, see docs/guard.md).
 */
final class ManifestProbe {
    private static final String SOURCE_REGISTRY = "source registry";

    private final WebClient client;
    private final RegistryAuthorizer authorizer;
    private final Challenges challenges;
    private final GuardSettings settings;
    private final Clock clock;

    ManifestProbe(
            WebClient client,
            RegistryAuthorizer authorizer,
            Challenges challenges,
            GuardSettings settings,
            Clock clock) {
        this.client = client;
        this.authorizer = authorizer;
        this.challenges = challenges;
        this.settings = settings;
        this.clock = clock;
    }

    /** Never fails: every failure is a classified result. */
    Future<ProbeResult> probe(ProbeTarget target, boolean inline) {
        return authorizer
                .authorization(target.loginServer(), target.repository(), inline)
                .transform(ar -> {
                    if (ar.failed()) {
                        return Future.succeededFuture(ProbeResult.failure(ar.cause()));
                    }
                    return head(target, ar.result(), inline, true);
                });
    }

    private Future<ProbeResult> head(ProbeTarget target, String authorization, boolean inline, boolean mayRetry) {
        String url = settings.scheme() + "://" + target.loginServer() + "/v2/" + target.repository() + "/manifests/"
                + target.reference();
        HttpRequest<Buffer> req = client.requestAbs(HttpMethod.HEAD, url)
                .putHeader("Accept", ManifestMediaTypes.ACCEPT)
                .connectTimeout(settings.connectTimeout().toMillis())
                .timeout(settings.requestTimeout().toMillis());
        if (authorization != null) {
            req.putHeader("Authorization", authorization);
        }
        return req.send().transform(ar -> {
            if (ar.failed()) {
                return Future.succeededFuture(ProbeResult.unavailable(ar.cause()));
            }
            HttpResponse<Buffer> resp = ar.result();
            ProbeResult result = classify(resp, clock);
            if (result.outcome() == ProbeResult.Outcome.AUTH && resp.statusCode() == 401) {
                var challenge = BearerChallenge.parse(resp.getHeader("Www-Authenticate"));
                if (authorization == null && mayRetry && challenge.isPresent()) {
                    // the registry wants a token and we had none: get one and ask once more (never again)
                    challenges.learn(target.loginServer(), challenge.get());
                    return authorizer
                            .authorization(target.loginServer(), target.repository(), inline)
                            .transform(t -> t.failed()
                                    ? Future.succeededFuture(ProbeResult.failure(t.cause()))
                                    : head(target, t.result(), inline, false));
                }
                authorizer.rejected(target.loginServer(), target.repository());
            }
            return Future.succeededFuture(result);
        });
    }

    static ProbeResult classify(HttpResponse<Buffer> resp, Clock clock) {
        int status = resp.statusCode();
        ProbeResult.Origin origin = ProbeResult.Origin.of(resp.getHeader("X-Azure-Origin"));
        if (status >= 200 && status < 300) {
            return new ProbeResult(
                    ProbeResult.Outcome.SERVABLE, resp.getHeader("Docker-Content-Digest"), origin, null, "" + status);
        }
        String text = text(resp);
        boolean source = text.contains(SOURCE_REGISTRY);
        ProbeResult.Outcome outcome;
        if (status == 404) {
            outcome = ProbeResult.Outcome.NOT_FOUND;
        } else if (status == 401 || status == 403) {
            outcome = source ? ProbeResult.Outcome.UPSTREAM_AUTH : ProbeResult.Outcome.AUTH;
        } else if (status == 429) {
            outcome = source ? ProbeResult.Outcome.UPSTREAM_THROTTLED : ProbeResult.Outcome.REGISTRY_THROTTLED;
        } else if (status == 424) {
            outcome = ProbeResult.Outcome.UPSTREAM_FAILED;
        } else if (status >= 500) {
            outcome = ProbeResult.Outcome.UNAVAILABLE;
        } else {
            // 400 (bad name), 405, ...: about this image, not the registry
            outcome = ProbeResult.Outcome.NOT_FOUND;
        }
        Duration retryAfter = status == 429 ? RetryAfter.of(resp, clock) : null;
        return new ProbeResult(outcome, null, origin, retryAfter, status + (source ? " source registry" : ""));
    }

    /** Body (if any) and every header value, lower-cased: where ACR's error text can be. */
    private static String text(HttpResponse<Buffer> resp) {
        StringBuilder sb = new StringBuilder();
        Buffer body = resp.body();
        if (body != null && body.length() > 0) {
            sb.append(body.toString(java.nio.charset.StandardCharsets.UTF_8)).append('\n');
        }
        for (Map.Entry<String, String> h : resp.headers()) {
            sb.append(h.getValue()).append('\n');
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}

package io.acrcache.webhook.doctor;

import io.acrcache.webhook.guard.GuardConfig;
import io.acrcache.webhook.guard.GuardSettings;
import io.acrcache.webhook.guard.ProbeTarget;
import io.acrcache.webhook.guard.auth.AcrTokenExchange;
import io.acrcache.webhook.guard.auth.AnonymousAuthorizer;
import io.acrcache.webhook.guard.auth.AuthOptions;
import io.acrcache.webhook.guard.auth.BearerChallenge;
import io.acrcache.webhook.guard.auth.Challenges;
import io.acrcache.webhook.guard.auth.RegistryAuthorizer;
import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.image.ImageReference;
import io.acrcache.webhook.image.InvalidImageReferenceException;
import io.acrcache.webhook.image.ManifestMediaTypes;
import io.acrcache.webhook.rules.CompiledRule;
import io.acrcache.webhook.rules.RuleMatch;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pull through every rule, as the guard does it: {@code /v2/} answers, the token exchange works (or anonymous pull is
 * allowed), and a HEAD (never a GET: a GET is a Docker Hub pull) of each rule's canary image is servable.
 */
final class PullThroughChecks {
    static final String PING_ID = "registry-v2";
    static final String TOKEN_ID = "registry-token";
    /** Images known to exist upstream, for rules without {@code guard.canaries}. */
    static final Map<String, String> DEFAULT_CANARIES = Map.of(
            "docker.io", "docker.io/library/hello-world:latest",
            "mcr.microsoft.com", "mcr.microsoft.com/hello-world:latest",
            "registry.k8s.io", "registry.k8s.io/pause:3.10",
            "quay.io", "quay.io/prometheus/busybox:latest");

    private PullThroughChecks() {}

    static Future<List<Check>> run(Chain chain) {
        GuardSettings guard = GuardConfig.settings(chain.settings.guard());
        Challenges challenges = new Challenges();
        String scheme = chain.options.registryScheme();
        AuthOptions auth = new AuthOptions(
                scheme, guard.tenantId(), GuardSettings.ACR_SCOPE, guard.connectTimeout(), guard.requestTimeout(), 64);
        boolean anonymous = guard.auth() == GuardSettings.Auth.ANONYMOUS;
        RegistryAuthorizer authorizer = anonymous
                ? new AnonymousAuthorizer(chain.registryClient, auth, Clock.systemUTC(), challenges)
                : new AcrTokenExchange(
                        chain.vertx, chain.registryClient, auth, chain.tokens, Clock.systemUTC(), challenges);
        List<Check> out = new ArrayList<>();
        String login = chain.login();
        return ping(chain, guard, challenges)
                .compose(ping -> {
                    out.add(ping);
                    if (ping.status() == Check.Status.FAIL) {
                        return Future.succeededFuture(out);
                    }
                    return authorizer.start(login).compose(v -> {
                        Throwable failure = authorizer.failure(login);
                        out.add(token(chain, anonymous, challenges, failure));
                        if (failure != null) {
                            return Future.succeededFuture(out);
                        }
                        Future<Void> all = Future.succeededFuture();
                        for (Map.Entry<CompiledRule, Optional<ProbeTarget>> e :
                                canaries(chain).entrySet()) {
                            all = all.compose(x -> pull(chain, guard, authorizer, e.getKey(), e.getValue())
                                    .map(c -> {
                                        out.add(c);
                                        return null;
                                    }));
                        }
                        return all.map(x -> out);
                    });
                })
                .eventually(() -> {
                    authorizer.close();
                    return Future.succeededFuture();
                });
    }

    private static Future<Check> ping(Chain chain, GuardSettings guard, Challenges challenges) {
        String url = chain.options.registryScheme() + "://" + chain.login() + "/v2/";
        String title = "Registry answers " + url;
        return chain.registryClient
                .getAbs(url)
                .connectTimeout(guard.connectTimeout().toMillis())
                .timeout(guard.requestTimeout().toMillis())
                .send()
                .transform(ar -> {
                    if (ar.succeeded() && ar.result().statusCode() == 200) {
                        challenges.answeredOpen(chain.login());
                        return Future.succeededFuture(Check.pass(PING_ID, title, "200: no token needed"));
                    }
                    if (ar.succeeded() && ar.result().statusCode() == 401) {
                        Optional<BearerChallenge> c =
                                BearerChallenge.parse(ar.result().getHeader("Www-Authenticate"));
                        c.ifPresent(b -> challenges.learn(chain.login(), b));
                        return Future.succeededFuture(Check.pass(
                                PING_ID,
                                title,
                                "401 with a Bearer challenge"
                                        + c.map(b -> ", realm " + b.realm()).orElse("")));
                    }
                    String answer = ar.succeeded() ? answer(ar.result()) : String.valueOf(ar.cause());
                    return Future.succeededFuture(Check.fail(PING_ID, title, answer, reachFix(chain)));
                });
    }

    private static String reachFix(Chain chain) {
        boolean privateOnly = chain.registryResource != null
                && "Disabled"
                        .equalsIgnoreCase(RegistryChecks.text(
                                chain.registryResource.path("properties").path("publicNetworkAccess")));
        return privateOnly
                ? "the registry is private: add a private endpoint in (or peered with) the cluster's VNet and link"
                        + " the privatelink DNS zone, so " + chain.login() + " resolves to it (nslookup "
                        + chain.login()
                        + " from a Pod)"
                : "allow egress from the cluster to " + chain.login() + ":443 (and *.data.azurecr.io for layers);"
                        + " check acrLoginServer and nslookup " + chain.login() + " from a Pod";
    }

    private static Check token(Chain chain, boolean anonymous, Challenges challenges, Throwable failure) {
        String title = anonymous ? "Anonymous pull allowed" : "ACR token exchange (/oauth2/exchange)";
        if (failure == null) {
            return Check.pass(
                    TOKEN_ID,
                    title,
                    challenges.open(chain.login())
                            ? "the registry asks for no token"
                            : anonymous ? "tokens are requested per repository" : "ACR refresh token obtained");
        }
        return Check.fail(
                TOKEN_ID,
                title,
                String.valueOf(failure.getMessage()),
                "give the webhook identity pull rights: az role assignment create --assignee " + chain.clientId()
                        + " --role AcrPull --scope " + chain.registryIdOrPlaceholder()
                        + " (an Entra ID failure is explained under identity)");
    }

    /** Each rule in force with its canary (guard.canaries, else a well-known image of its upstream), in rule order. */
    static Map<CompiledRule, Optional<ProbeTarget>> canaries(Chain chain) {
        Map<String, ProbeTarget> configured = GuardConfig.canaries(chain.config).targets();
        DockerHubHosts hubs = DockerHubHosts.of(chain.settings.dockerHubHosts());
        Map<CompiledRule, Optional<ProbeTarget>> out = new java.util.LinkedHashMap<>();
        for (CompiledRule rule : chain.config.ruleSet().rules()) {
            ProbeTarget t = configured.get(rule.name());
            if (t == null) {
                String upstream = hubs.isDockerHub(rule.upstream()) ? "docker.io" : rule.upstream();
                String image = DEFAULT_CANARIES.get(upstream);
                t = translate(chain, rule, image).orElse(null);
                if (t == null && !rule.wildcard()) {
                    t = translate(chain, rule, rule.rule().source() + ":latest").orElse(null);
                }
            }
            out.put(rule, Optional.ofNullable(t));
        }
        return out;
    }

    private static Optional<ProbeTarget> translate(Chain chain, CompiledRule rule, String image) {
        if (image == null) {
            return Optional.empty();
        }
        try {
            ImageReference ref = chain.config.parser().parse(image);
            Optional<RuleMatch> m = chain.config.ruleSet().match(ref);
            if (m.isEmpty() || !m.get().rule().name().equals(rule.name())) {
                return Optional.empty();
            }
            return Optional.of(new ProbeTarget(
                    chain.login(), m.get().targetRepository(), ref.tag() == null ? "latest" : ref.tag()));
        } catch (InvalidImageReferenceException e) {
            return Optional.empty();
        }
    }

    private static Future<Check> pull(
            Chain chain,
            GuardSettings guard,
            RegistryAuthorizer authorizer,
            CompiledRule rule,
            Optional<ProbeTarget> t) {
        String id = "pull." + rule.name();
        String title = "Pull through rule " + rule.name();
        if (t.isEmpty()) {
            return Future.succeededFuture(Check.skip(
                    id,
                    title,
                    "no canary image known for " + rule.rule().source() + ": set guard.canaries." + rule.name()
                            + " to an image it covers"));
        }
        ProbeTarget target = t.get();
        String url = chain.options.registryScheme() + "://" + target.loginServer() + "/v2/" + target.repository()
                + "/manifests/" + target.reference();
        return authorizer
                .authorization(target.loginServer(), target.repository(), false)
                .compose(authorization -> {
                    var req = chain.registryClient
                            .requestAbs(HttpMethod.HEAD, url)
                            .putHeader("Accept", ManifestMediaTypes.ACCEPT)
                            .connectTimeout(guard.connectTimeout().toMillis())
                            .timeout(guard.requestTimeout().toMillis());
                    if (authorization != null) {
                        req.putHeader("Authorization", authorization);
                    }
                    return req.send();
                })
                .transform(ar -> Future.succeededFuture(
                        PullVerdict.of(chain, id, title, target, ar.succeeded() ? ar.result() : null, ar.cause())));
    }

    /** Status and the text ACR puts in headers or body, shortened: the registry's own answer for the report. */
    static String answer(HttpResponse<Buffer> r) {
        StringBuilder sb = new StringBuilder("HTTP " + r.statusCode());
        String wa = r.getHeader("Www-Authenticate");
        if (wa != null) {
            sb.append(", Www-Authenticate: ").append(wa);
        }
        Buffer b = r.body();
        if (b != null && b.length() > 0) {
            sb.append(", ")
                    .append(b.toString(java.nio.charset.StandardCharsets.UTF_8).trim());
        }
        return sb.length() > 400 ? sb.substring(0, 400) + "…" : sb.toString();
    }
}

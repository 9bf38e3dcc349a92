package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.azure.AzureHttp;
import io.acrcache.webhook.config.LoadedConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Walks the chain the artifact-cache set-up builds, in set-up order (identity, registry and its network, cache rules,
 * credential sets and their Key Vault, the cluster's pull permission, a pull through every rule), and names the fix for
 * every broken link. Never fails: a check that cannot complete is a {@code warn} saying why.
 */
public final class Doctor {
    private static final Logger LOG = Logger.getLogger(Doctor.class.getName());

    /** @param registryScheme {@code https} for ACR; {@code http} only for local fakes */
    public record Options(AzureHttp.Timeouts timeouts, String registryScheme) {
        public static final Options DEFAULT = new Options(AzureHttp.Timeouts.DEFAULT, "https");

        public Options {
            Objects.requireNonNull(timeouts, "timeouts");
            Objects.requireNonNull(registryScheme, "registryScheme");
        }
    }

    private static final List<Step> FULL = List.of(
            new Step(IdentityCheck.ID, IdentityCheck::run),
            new Step(RegistryChecks.ID, RegistryChecks::run),
            new Step(RuleChecks.ID, RuleChecks::run),
            new Step("credential-sets", CredentialSetChecks::run),
            new Step(ClusterPullCheck.ID, ClusterPullCheck::run),
            new Step("pull", PullThroughChecks::run));

    /** What the webhook runs at start: ARM only, nothing that pulls. */
    private static final List<Step> STARTUP = FULL.subList(0, 4);

    private record Step(String id, Function<Chain, Future<List<Check>>> run) {}

    private final Vertx vertx;
    private final WebClient azureClient;
    private final WebClient registryClient;
    private final AccessTokenSource tokens;
    private final Map<String, String> env;
    private final Options options;

    /**
     * @param azureClient for Entra ID and ARM (the webhook's, from {@link AzureHttp#client})
     * @param registryClient for the login server (may be the same client)
     * @param tokens the process's Entra ID token source
     * @param env the environment: workload identity variables name the identity in fixes
     */
    public Doctor(
            Vertx vertx,
            WebClient azureClient,
            WebClient registryClient,
            AccessTokenSource tokens,
            Map<String, String> env,
            Options options) {
        this.vertx = vertx;
        this.azureClient = azureClient;
        this.registryClient = registryClient;
        this.tokens = tokens;
        this.env = Map.copyOf(env);
        this.options = options;
    }

    /** Every check. @param clusterId the AKS cluster's resource id, or null (its check is skipped) */
    public Future<DoctorReport> run(LoadedConfig config, String clusterId) {
        return run(config, clusterId, FULL);
    }

    private Future<DoctorReport> run(LoadedConfig config, String clusterId, List<Step> steps) {
        Chain chain;
        try {
            chain = new Chain(vertx, config, env, tokens, azureClient, registryClient, options, clusterId);
        } catch (RuntimeException e) {
            return Future.succeededFuture(
                    new DoctorReport(List.of(Check.warn("doctor", "Doctor", "cannot start: " + e.getMessage(), null))));
        }
        List<Check> checks = new ArrayList<>();
        Future<Void> done = Future.succeededFuture();
        for (Step step : steps) {
            done = done.compose(v -> safely(step, chain).map(list -> {
                checks.addAll(list);
                return null;
            }));
        }
        return done.map(v -> new DoctorReport(checks));
    }

    private static Future<List<Check>> safely(Step step, Chain chain) {
        Future<List<Check>> f;
        try {
            f = step.run().apply(chain);
        } catch (RuntimeException e) {
            f = Future.failedFuture(e);
        }
        return f.otherwise(e -> List.of(Check.warn(step.id(), step.id(), "check did not complete: " + e, null)));
    }

    /**
     * The start-up run: with {@code registry.resourceId} set, the identity, registry, rule and credential-set checks
     * once, one log line per failing check. Never fails and never waits for anything else: call it and go on.
     */
    public static Future<DoctorReport> atStartup(
            Vertx vertx,
            WebClient azureClient,
            AccessTokenSource tokens,
            LoadedConfig config,
            Map<String, String> env) {
        if (!config.settings().registry().configured()) {
            return Future.succeededFuture(new DoctorReport(List.of()));
        }
        Doctor doctor = new Doctor(vertx, azureClient, azureClient, tokens, env, Options.DEFAULT);
        return doctor.run(config, null, STARTUP).map(report -> {
            for (Check c : report.failures()) {
                LOG.warning("doctor: " + c.id() + " failed: " + c.detail() + "; fix: " + c.fix());
            }
            return report;
        });
    }
}

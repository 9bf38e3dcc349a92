package io.acrcache.webhook;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.azure.AzureHttp;
import io.acrcache.webhook.azure.WorkloadIdentity;
import io.acrcache.webhook.config.ConfigHolder;
import io.acrcache.webhook.config.ConfigReloader;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.doctor.DoctorEndpoint;
import io.acrcache.webhook.guard.Guard;
import io.acrcache.webhook.guard.GuardHolder;
import io.acrcache.webhook.guard.GuardReviser;
import io.acrcache.webhook.guard.GuardSettings;
import io.acrcache.webhook.guard.ProcessGuard;
import io.acrcache.webhook.logging.LogSetup;
import io.acrcache.webhook.opsauth.OpsAuth;
import io.acrcache.webhook.pullfailures.EventWatcher;
import io.acrcache.webhook.pullfailures.GuardFeed;
import io.acrcache.webhook.pullfailures.PullFailureReporter;
import io.acrcache.webhook.rulesync.ApplyResult;
import io.acrcache.webhook.rulesync.RegistrySync;
import io.acrcache.webhook.server.Readiness;
import io.acrcache.webhook.server.VertxRuntime;
import io.acrcache.webhook.server.WebhookServer;
import io.acrcache.webhook.status.StatusInputs;
import io.acrcache.webhook.status.StatusInputs.GuardView;
import io.acrcache.webhook.status.StatusPage;
import io.acrcache.webhook.tls.ServingFiles;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The running webhook: Vert.x, metrics, TLS material and both listeners, wired from one loaded configuration.
 * {@link Main} starts it from the command line; tests start it on port 0. Its parts, in the order they start.
 */
public record WebhookApp(
        Vertx vertx,
        ConfigHolder config,
        PrometheusMeterRegistry registry,
        Readiness readiness,
        WebhookServer server,
        RegistrySync rules,
        GuardHolder guards,
        List<AutoCloseable> closeables) {
    private static final Logger LOG = Logger.getLogger(WebhookApp.class.getName());
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    /**
     * How to run besides the configuration itself.
     *
     * @param configFile the file to watch for changes; null when running on defaults
     * @param env environment overrides, applied again at each reload
     * @param devCertDir where development certificates go when none are configured
     * @param instances admission event-loop instances (one per core in production)
     * @param reloadInterval how often the config file and certificate files are checked for changes
     * @param azureTrust what Azure endpoints (Entra ID, ARM) are trusted with; null: the JDK's trust store
     *     (production). Not a setting: tests pass their private CA here
     * @param guardTuning adjusts registry-guard settings that have no configuration key: tests use it for {@code scheme
     *     http} (a local registry) and fast heartbeats and back-offs; production leaves them as they are
     */
    public record Options(
            Path configFile,
            Map<String, String> env,
            Path devCertDir,
            int instances,
            Duration reloadInterval,
            TrustOptions azureTrust,
            UnaryOperator<GuardSettings> guardTuning) {
        public Options(
                Path configFile, Map<String, String> env, Path devCertDir, int instances, Duration reloadInterval) {
            this(configFile, env, devCertDir, instances, reloadInterval, null, UnaryOperator.identity());
        }

        /** The same, trusting {@code trust} for Azure endpoints. */
        public Options withAzureTrust(TrustOptions trust) {
            return new Options(configFile, env, devCertDir, instances, reloadInterval, trust, guardTuning);
        }

        /** The same, with registry-guard settings adjusted (tests only). */
        public Options withGuardTuning(UnaryOperator<GuardSettings> tuning) {
            return new Options(configFile, env, devCertDir, instances, reloadInterval, azureTrust, tuning);
        }

        /** How production runs: certificates in ./certs, one instance per core, files checked every 2 s. */
        public static Options production(Path configFile, Map<String, String> env) {
            return new Options(
                    configFile,
                    env,
                    Path.of("certs"),
                    Runtime.getRuntime().availableProcessors(),
                    Duration.ofSeconds(2));
        }
    }

    /** Starts everything; blocks until both listeners are up (or fail) and the admission path is warmed up. */
    public static WebhookApp start(LoadedConfig loaded, Options options) throws Exception {
        WebhookServer.preloadTls(); // overlaps the TLS stack's one-time initialization with what follows
        Settings settings = loaded.settings();
        ServingFiles tls = ServingFiles.resolve(
                settings.server().hasCertificate() ? settings.server().tlsCertFile() : null,
                settings.server().tlsKeyFile(),
                options.devCertDir());
        PrometheusMeterRegistry registry = VertxRuntime.meters();
        Vertx vertx = VertxRuntime.vertx(registry);
        Readiness readiness =
                new Readiness(); // config and TLS are loaded: the conditions left come with what needs them
        ConfigHolder holder = new ConfigHolder(loaded);
        List<AutoCloseable> azure = new ArrayList<>();
        try {
            // one client and one token source for every Azure call (ARM for the rules, ACR's audience for the guard)
            WebClient azureClient = AzureHttp.client(vertx, AzureHttp.Timeouts.DEFAULT, options.azureTrust());
            azure.add(azureClient::close);
            AccessTokenSource tokens = WorkloadIdentity.tokens(vertx, azureClient, options.env(), registry, azure);
            GuardHolder guard = ProcessGuard.holder(
                    vertx,
                    tokens,
                    options.env(),
                    registry,
                    options.guardTuning(),
                    settings.guard().caFile());
            azure.add(0, guard);
            guard.apply(loaded);
            RegistrySync rules =
                    RegistrySync.create(vertx, holder, options.configFile(), azureClient, tokens, registry);
            azure.add(0, rules);
            // the registry's rule health holds the guard's rule breakers open or releases them
            rules.listeners().add(result -> guard.synced(result, holder.get()));
            Consumer<String> firstSync = rules.configured() ? readiness.gate(RegistrySync.READINESS) : null;
            PullFailureReporter pullFailures = PullFailureReporter.start(
                            vertx,
                            holder,
                            registry,
                            readiness.companion(EventWatcher.READINESS),
                            new GuardFeed(guard::get))
                    .await();
            DoctorEndpoint doctor = DoctorEndpoint.forProcess(vertx, azureClient, tokens, holder, options.env());
            StatusPage status = StatusPage.create(new StatusInputs(
                    Main.version(),
                    holder,
                    GuardView.of(guard::get),
                    rules::status,
                    pullFailures::report,
                    doctor::lastChecks));
            Consumer<Router> opsRoutes = ((Consumer<Router>) pullFailures::mount).andThen(status::mount);
            OpsAuth opsAuth =
                    OpsAuth.start(vertx, settings.ops().auth(), settings.ops().metricsAuth(), options.env());
            azure.add(opsAuth);
            WebhookServer server = WebhookServer.start(
                            vertx,
                            holder,
                            registry,
                            readiness,
                            tls.keyCert(),
                            options.instances(),
                            opsRoutes.andThen(rules::mount).andThen(doctor::mount),
                            new GuardReviser(guard),
                            opsAuth.access())
                    .await();
            server.onAnswered(status.recorder());
            WebhookApp app =
                    new WebhookApp(vertx, holder, registry, readiness, server, rules, guard, new ArrayList<>());
            app.closeables.addAll(azure);
            rules.start(firstSync);
            app.closeables.add(() -> pullFailures.stop().await());
            app.closeables.add(tls.reloader(vertx, server::updateTls, registry, options.reloadInterval()));
            app.closeables.add(new ConfigReloader(
                    vertx,
                    holder,
                    options.configFile(),
                    options.env(),
                    registry,
                    options.reloadInterval(),
                    (before, after) -> {
                        LogSetup.follow(
                                before.settings().logging().options(),
                                after.settings().logging().options());
                        RegistrySync.reloaded(before.settings(), after.settings());
                        guard.apply(holder.get()); // in force: the registry's rules stay over a reload
                    }));
            server.warmUp().await(); // last: ready means the admission path is warm
            return app;
        } catch (Exception e) {
            azure.forEach(WebhookApp::closeQuietly);
            vertx.close();
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warning("closing " + c + ": " + e);
        }
    }

    public int admissionPort() {
        return server.admissionPort();
    }

    public int opsPort() {
        return server.opsPort();
    }

    /** The hook on every applied or compared registry snapshot (see the field); empty list without a registry. */
    public List<Consumer<ApplyResult>> registryListeners() {
        return rules.listeners();
    }

    /** The registry guard now, null while {@code guard.enabled} is false. */
    public Guard guard() {
        return guards.get();
    }

    /** Drains (readiness false, still serving), lets in-flight requests finish, then closes Vert.x. */
    public void stop(Duration drain) {
        closeables.forEach(WebhookApp::closeQuietly);
        try {
            server.shutdown(drain, SHUTDOWN_GRACE).await();
        } catch (Exception e) {
            LOG.warning("shutdown did not complete cleanly: " + e);
        } finally {
            try {
                vertx.close().await();
            } catch (Exception e) {
                LOG.warning("closing Vert.x: " + e);
            }
        }
    }
}

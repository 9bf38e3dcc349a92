package io.acrcache.webhook;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.azure.AzureHttp;
import io.acrcache.webhook.azure.WorkloadIdentity;
import io.acrcache.webhook.config.ConfigHolder;
import io.acrcache.webhook.config.ConfigReloader;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.guard.Guard;
import io.acrcache.webhook.guard.GuardHolder;
import io.acrcache.webhook.guard.GuardReviser;
import io.acrcache.webhook.guard.GuardSettings;
import io.acrcache.webhook.guard.GuardTokens;
import io.acrcache.webhook.logging.LogOptions;
import io.acrcache.webhook.logging.LogSetup;
import io.acrcache.webhook.opsauth.OpsAuth;
import io.acrcache.webhook.pullfailures.EventWatcher;
import io.acrcache.webhook.pullfailures.GuardFeed;
import io.acrcache.webhook.pullfailures.PullFailureReporter;
import io.acrcache.webhook.rulesync.ApplyResult;
import io.acrcache.webhook.rulesync.RegistrySync;
import io.acrcache.webhook.rulesync.SyncStatus;
import io.acrcache.webhook.server.OpsAccess;
import io.acrcache.webhook.server.Readiness;
import io.acrcache.webhook.server.VertxRuntime;
import io.acrcache.webhook.server.WebhookServer;
import io.acrcache.webhook.tls.CertificateReloader;
import io.acrcache.webhook.tls.ServerTlsOptions;
import io.acrcache.webhook.tls.ServingFiles;
import io.acrcache.webhook.tls.TlsMaterial;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The running webhook: Vert.x, metrics, TLS material and both listeners, wired from one loaded configuration.
 * {@link Main} starts it from the command line; tests start it on port 0.
 */
public final class WebhookApp {
    private static final Logger LOG = Logger.getLogger(WebhookApp.class.getName());
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    private final Vertx vertx;
    private final ConfigHolder config;
    private final PrometheusMeterRegistry registry;
    private final Readiness readiness;
    private final WebhookServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final RegistrySync rules;
    private final GuardHolder guard;

    private WebhookApp(
            Vertx vertx,
            ConfigHolder config,
            PrometheusMeterRegistry registry,
            Readiness readiness,
            WebhookServer server,
            RegistrySync rules,
            GuardHolder guard) {
        this.guard = guard;
        this.rules = rules;
        this.vertx = vertx;
        this.config = config;
        this.registry = registry;
        this.readiness = readiness;
        this.server = server;
    }

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
        ServingFiles tlsFiles = ServingFiles.resolve(
                settings.server().hasCertificate() ? settings.server().tlsCertFile() : null,
                settings.server().tlsKeyFile(),
                options.devCertDir());
        TlsMaterial tls = TlsMaterial.load(tlsFiles.cert(), tlsFiles.key());
        PrometheusMeterRegistry registry = VertxRuntime.meters();
        Vertx vertx = VertxRuntime.vertx(registry);
        Readiness readiness = new Readiness().require(Readiness.CONFIG).require(Readiness.TLS);
        readiness.set(Readiness.CONFIG, true);
        readiness.set(Readiness.TLS, true);
        ConfigHolder holder = new ConfigHolder(loaded);
        List<AutoCloseable> azure = new ArrayList<>();
        try {
            // one client and one token source for every Azure call (ARM for the rules, ACR's audience for the guard)
            WebClient azureClient = AzureHttp.client(vertx, AzureHttp.Timeouts.DEFAULT, options.azureTrust());
            azure.add(azureClient::close);
            AccessTokenSource tokens = WorkloadIdentity.tokens(vertx, azureClient, options.env(), registry, azure);
            boolean identity = WorkloadIdentity.present(options.env());
            GuardHolder guard = new GuardHolder(
                    (guardSettings, previous) -> new Guard(
                            vertx,
                            guardSettings,
                            GuardTokens.of(guardSettings, tokens, identity),
                            registry,
                            Clock.systemUTC(),
                            previous),
                    options.guardTuning(),
                    registry);
            azure.add(0, guard);
            guard.apply(loaded);
            RegistrySync rules =
                    RegistrySync.create(vertx, holder, options.configFile(), azureClient, tokens, registry);
            azure.add(0, rules);
            // the registry's rule health holds the guard's rule breakers open or releases them
            rules.listeners().add(result -> guard.synced(result, holder.get()));
            if (rules.configured()) {
                readiness.require(RegistrySync.READINESS);
                // a later success lifts the note the first failed sync left on /readyz
                rules.listeners().add(result -> readiness.note(RegistrySync.READINESS, null));
            }
            PullFailureReporter pullFailures = PullFailureReporter.start(
                            vertx,
                            holder,
                            registry,
                            readiness.companion(EventWatcher.READINESS),
                            new GuardFeed(guard::get))
                    .await();
            Consumer<Router> opsRoutes = pullFailures::mount;
            OpsAuth opsAuth =
                    OpsAuth.start(vertx, settings.ops().auth(), settings.ops().metricsAuth(), options.env());
            azure.add(opsAuth);
            WebhookServer server = WebhookServer.start(
                            vertx,
                            holder,
                            registry,
                            readiness,
                            ServerTlsOptions.keyCert(tls),
                            options.instances(),
                            opsRoutes.andThen(rules::mount),
                            new GuardReviser(guard),
                            opsAuth.handler() == null
                                    ? null
                                    : new OpsAccess(
                                            opsAuth.handler(), settings.ops().metricsAuth()))
                    .await();
            WebhookApp app = new WebhookApp(vertx, holder, registry, readiness, server, rules, guard);
            app.closeables.addAll(azure);
            rules.start().onSuccess(note -> {
                readiness.note(RegistrySync.READINESS, note);
                readiness.set(RegistrySync.READINESS, true);
            });
            app.closeables.add(() -> pullFailures.stop().await());
            app.closeables.add(new CertificateReloader(
                    vertx,
                    tlsFiles.cert(),
                    tlsFiles.key(),
                    tls,
                    server::updateTls,
                    registry,
                    options.reloadInterval()));
            app.closeables.add(new ConfigReloader(
                    vertx,
                    holder,
                    options.configFile(),
                    options.env(),
                    registry,
                    options.reloadInterval(),
                    (before, after) -> {
                        reloaded(before, after);
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

    /** Logging follows a reload; it is reconfigured only when it changed (that replaces its writer thread). */
    private static void reloaded(LoadedConfig before, LoadedConfig after) {
        Settings.Logging logging = after.settings().logging();
        if (!before.settings().logging().equals(logging)) {
            LogSetup.configure(logOptions(after.settings()));
        }
        if (!before.settings().registry().equals(after.settings().registry())) {
            LOG.warning("registry settings changed: they take effect at the next restart");
        }
    }

    /** The logging part of the settings, in logging's own terms. */
    public static LogOptions logOptions(Settings settings) {
        return new LogOptions(settings.logging().format(), settings.logging().level());
    }

    public int admissionPort() {
        return server.admissionPort();
    }

    public int opsPort() {
        return server.opsPort();
    }

    public ConfigHolder config() {
        return config;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public Readiness readiness() {
        return readiness;
    }

    public Vertx vertx() {
        return vertx;
    }

    public WebhookServer server() {
        return server;
    }

    /** The hook on every applied or compared registry snapshot (see the field); empty list without a registry. */
    public List<Consumer<ApplyResult>> registryListeners() {
        return rules.listeners();
    }

    /** The registry guard now, null while {@code guard.enabled} is false. */
    public Guard guard() {
        return guard.get();
    }

    /** The registry's status as {@code /rules} shows it; null without {@code registry.resourceId}. */
    public SyncStatus registrySyncStatus() {
        return rules.status();
    }

    /** Drains (readiness false, still serving), lets in-flight requests finish, then closes Vert.x. */
    public void stop(Duration drain) {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warning("stopping " + c + ": " + e);
            }
        }
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

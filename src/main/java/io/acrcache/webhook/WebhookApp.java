package io.acrcache.webhook;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.azure.ApplyResult;
import io.acrcache.webhook.azure.AzureHttp;
import io.acrcache.webhook.azure.AzureRegistrySync;
import io.acrcache.webhook.azure.EntraTokenSource;
import io.acrcache.webhook.azure.SyncStatus;
import io.acrcache.webhook.azure.WorkloadIdentity;
import io.acrcache.webhook.config.ConfigHolder;
import io.acrcache.webhook.config.ConfigReloader;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.guard.Guard;
import io.acrcache.webhook.guard.GuardHolder;
import io.acrcache.webhook.guard.GuardReviser;
import io.acrcache.webhook.guard.GuardSettings;
import io.acrcache.webhook.guard.RegistryHealthFeed;
import io.acrcache.webhook.logging.LogOptions;
import io.acrcache.webhook.logging.LogSetup;
import io.acrcache.webhook.pullfailures.EventWatcher;
import io.acrcache.webhook.pullfailures.GuardFeed;
import io.acrcache.webhook.pullfailures.PullFailureReporter;
import io.acrcache.webhook.server.Readiness;
import io.acrcache.webhook.server.WebhookServer;
import io.acrcache.webhook.tls.CertificateReloader;
import io.acrcache.webhook.tls.DevCertificates;
import io.acrcache.webhook.tls.ServerTlsOptions;
import io.acrcache.webhook.tls.TlsMaterial;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
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
    /** Readiness waits this long at most for the first registry sync; ARM never holds admission back longer. */
    static final Duration FIRST_SYNC_TIMEOUT = Duration.ofSeconds(10);
    /** The readiness condition (and note) of the first registry sync. */
    public static final String REGISTRY_SYNC = "registry-sync";

    private final Vertx vertx;
    private final ConfigHolder config;
    private final PrometheusMeterRegistry registry;
    private final Readiness readiness;
    private final WebhookServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /**
     * Hear every registry snapshot applied (rules in force, {@code registry.ruleSync: true}) or compared (drift), with
     * each rule's credential set and health; called on a Vert.x event loop after the swap. Filled in {@link #start}
     * before the sync starts (the pull guard's rule health attaches here).
     */
    private final List<Consumer<ApplyResult>> registryListeners;

    private final AzureRegistrySync registrySync;
    private final GuardHolder guard;

    private WebhookApp(
            Vertx vertx,
            ConfigHolder config,
            PrometheusMeterRegistry registry,
            Readiness readiness,
            WebhookServer server,
            List<Consumer<ApplyResult>> registryListeners,
            AzureRegistrySync registrySync,
            GuardHolder guard) {
        this.guard = guard;
        this.registryListeners = registryListeners;
        this.registrySync = registrySync;
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
        TlsFiles tlsFiles = tlsFiles(settings, options.devCertDir());
        TlsMaterial tls = TlsMaterial.load(tlsFiles.cert(), tlsFiles.key());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions()
                        .setMetricsOptions(new MicrometerMetricsOptions()
                                .setEnabled(true)
                                // per-request HTTP server meters cost 8-9% of the CPU under load and could not
                                // tell the two listeners apart: admission has its own acw_admission_* meters
                                .setDisabledMetricsCategories(Set.of(
                                        MetricsDomain.HTTP_SERVER.toCategory(),
                                        MetricsDomain.NET_SERVER.toCategory()))))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        Readiness readiness = new Readiness().require(Readiness.CONFIG).require(Readiness.TLS);
        readiness.set(Readiness.CONFIG, true);
        readiness.set(Readiness.TLS, true);
        ConfigHolder holder = new ConfigHolder(loaded);
        List<AutoCloseable> azure = new ArrayList<>();
        try {
            List<Consumer<ApplyResult>> registryListeners = new CopyOnWriteArrayList<>();
            Settings.Registry registrySettings = settings.registry();
            AzureRegistrySync registrySync = null;
            RegistryRulesApplier applier = null;
            // one client and one token source for every Azure call (ARM for the rules, ACR's audience for the guard)
            WebClient azureClient = AzureHttp.client(vertx, AzureHttp.Timeouts.DEFAULT, options.azureTrust());
            azure.add(azureClient::close);
            AccessTokenSource tokens = entraTokens(vertx, azureClient, options.env(), registry, azure);
            boolean identity = WorkloadIdentity.present(options.env());
            GuardHolder guard = new GuardHolder(
                    guardSettings -> new Guard(
                            vertx,
                            guardSettings,
                            guardTokens(guardSettings, tokens, identity),
                            registry,
                            Clock.systemUTC()),
                    options.guardTuning(),
                    registry);
            azure.add(0, guard);
            guard.apply(loaded);
            // the registry's rule health holds the guard's rule breakers open or releases them
            registryListeners.add(result -> {
                Guard g = guard.get();
                if (g != null) {
                    RegistryHealthFeed.apply(g, result.credentials(), result.skipped());
                }
            });
            if (registrySettings.configured()) {
                applier = new RegistryRulesApplier(holder, registrySettings.ruleSync(), registryListeners);
                registrySync = AzureRegistrySync.create(
                        vertx,
                        azureClient,
                        tokens,
                        registrySettings.resourceId(),
                        registrySettings.armEndpoint(),
                        Duration.ofSeconds(registrySettings.ruleSyncIntervalSeconds()),
                        applier,
                        registry);
                azure.add(0, registrySync);
                readiness.require(REGISTRY_SYNC);
                // a later success lifts the note the first failed sync left on /readyz
                registryListeners.add(result -> readiness.note(REGISTRY_SYNC, null));
            }
            AzureRegistrySync sync = registrySync;
            RulesEndpoint rules = new RulesEndpoint(
                    vertx,
                    holder,
                    options.configFile(),
                    options.env(),
                    registrySettings,
                    applier,
                    sync == null ? null : () -> sync.sync().status());
            PullFailureReporter pullFailures = PullFailureReporter.start(
                            vertx,
                            holder,
                            registry,
                            readiness.companion(EventWatcher.READINESS),
                            new GuardFeed(guard::get))
                    .await();
            Consumer<Router> opsRoutes = pullFailures::mount;
            WebhookServer server = WebhookServer.start(
                            vertx,
                            holder,
                            registry,
                            readiness,
                            ServerTlsOptions.keyCert(tls),
                            options.instances(),
                            opsRoutes.andThen(
                                    router -> router.get(RulesEndpoint.PATH).handler(rules)),
                            new GuardReviser(guard),
                            null)
                    .await();
            WebhookApp app =
                    new WebhookApp(vertx, holder, registry, readiness, server, registryListeners, registrySync, guard);
            app.closeables.addAll(azure);
            if (sync != null) {
                sync.sync().start();
                sync.sync()
                        .firstSync(FIRST_SYNC_TIMEOUT)
                        .onComplete(ar -> firstSyncDone(sync.sync().status(), holder, registrySettings, readiness));
            }
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
                        guard.apply(after);
                    }));
            server.warmUp().await(); // last: ready means the admission path is warm
            return app;
        } catch (Exception e) {
            azure.forEach(WebhookApp::closeQuietly);
            vertx.close();
            throw e;
        }
    }

    /**
     * The one Entra ID token source of the process, shared by whatever signs in with the Pod's workload identity (the
     * registry sync for ARM, the pull guard for {@code https://containerregistry.azure.net/.default}). Without the
     * workload identity variables (or with some missing) it is a source that fails naming them, so each user reports
     * the cause and the webhook still starts.
     */
    private static AccessTokenSource entraTokens(
            Vertx vertx,
            WebClient client,
            Map<String, String> env,
            PrometheusMeterRegistry registry,
            List<AutoCloseable> closeables) {
        if (!WorkloadIdentity.present(env)) {
            // said by whoever needs it (the registry sync, the guard); running without Azure is normal
            return AccessTokenSource.unavailable(NO_IDENTITY);
        }
        try {
            EntraTokenSource tokens = new EntraTokenSource(vertx, client, WorkloadIdentity.fromEnv(env));
            tokens.bindMetrics(registry);
            closeables.add(0, tokens);
            return tokens;
        } catch (IllegalArgumentException e) {
            LOG.warning(e.getMessage().replace('\n', ' '));
            return AccessTokenSource.unavailable(e.getMessage().replace('\n', ' '));
        }
    }

    private static final String NO_IDENTITY = "no Azure workload identity: " + WorkloadIdentity.CLIENT_ID + ", "
            + WorkloadIdentity.TENANT_ID + " and " + WorkloadIdentity.TOKEN_FILE + " are not set (is the Pod labelled"
            + " azure.workload.identity/use=true and its service account annotated with the client ID?)";

    /**
     * The guard's Entra tokens: none for anonymous pulls; with workload identity but no identity in the environment,
     * the shared source fails naming what is missing, so the guard leaves every image alone ({@code unknown-no-token})
     * and admission stays up.
     */
    private static AccessTokenSource guardTokens(GuardSettings settings, AccessTokenSource tokens, boolean identity) {
        if (settings.auth() == GuardSettings.Auth.ANONYMOUS) {
            return null;
        }
        if (!identity) {
            LOG.warning("guard: " + NO_IDENTITY + " (chart: azure.workloadIdentity.clientId), or set guard.auth:"
                    + " anonymous; every image is left as written until then");
        }
        return tokens;
    }

    /** Ready after the first sync, whatever its result; a failure is said in the log and on {@code /readyz}. */
    private static void firstSyncDone(
            SyncStatus status, ConfigHolder holder, Settings.Registry settings, Readiness readiness) {
        if (!"success".equals(status.result())) {
            String cause = "pending".equals(status.result())
                    ? "no answer within " + FIRST_SYNC_TIMEOUT.toSeconds() + " s"
                    : status.error();
            int n = holder.get().ruleSet().size();
            String note = settings.ruleSync()
                    ? "first registry sync failed (" + cause + "): serving the configured " + n
                            + " rule(s) until a sync succeeds"
                    : "first drift check against the registry failed (" + cause + "); the configured " + n
                            + " rule(s) serve";
            readiness.note(REGISTRY_SYNC, note);
            LOG.warning(note);
        }
        readiness.set(REGISTRY_SYNC, true);
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

    private record TlsFiles(Path cert, Path key) {}

    private static TlsFiles tlsFiles(Settings settings, Path devCertDir) throws IOException {
        if (settings.server().hasCertificate()) {
            return new TlsFiles(
                    Path.of(settings.server().tlsCertFile()),
                    Path.of(settings.server().tlsKeyFile()));
        }
        Path dir = devCertDir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            dir = Files.createTempDirectory("acr-cache-webhook-certs");
        }
        DevCertificates dev = DevCertificates.ensure(dir);
        LOG.warning((dev.generated() ? "generated development certificates in " : "using development certificates in ")
                + dir.toAbsolutePath() + " (no server.tlsCertFile configured; the CA is " + dev.caFile() + ")");
        return new TlsFiles(dev.certFile(), dev.keyFile());
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
        return registryListeners;
    }

    /** The registry guard now, null while {@code guard.enabled} is false. */
    public Guard guard() {
        return guard.get();
    }

    /** The registry's status as {@code /rules} shows it; null without {@code registry.resourceId}. */
    public SyncStatus registrySyncStatus() {
        return registrySync == null ? null : registrySync.sync().status();
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

package io.acrcache.webhook;

import io.acrcache.webhook.config.ConfigHolder;
import io.acrcache.webhook.config.ConfigReloader;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.logging.LogOptions;
import io.acrcache.webhook.logging.LogSetup;
import io.acrcache.webhook.pullfailures.EventWatcher;
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
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    private WebhookApp(
            Vertx vertx,
            ConfigHolder config,
            PrometheusMeterRegistry registry,
            Readiness readiness,
            WebhookServer server) {
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
     */
    public record Options(
            Path configFile, Map<String, String> env, Path devCertDir, int instances, Duration reloadInterval) {
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

    /** Starts everything; blocks until both listeners are up or fail. */
    public static WebhookApp start(LoadedConfig loaded, Options options) throws Exception {
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
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        Readiness readiness = new Readiness().require(Readiness.CONFIG).require(Readiness.TLS);
        readiness.set(Readiness.CONFIG, true);
        readiness.set(Readiness.TLS, true);
        ConfigHolder holder = new ConfigHolder(loaded);
        try {
            PullFailureReporter pullFailures = PullFailureReporter.start(
                            vertx, holder, registry, readiness.companion(EventWatcher.READINESS))
                    .await();
            WebhookServer server = WebhookServer.start(
                            vertx,
                            holder,
                            registry,
                            readiness,
                            ServerTlsOptions.keyCert(tls),
                            options.instances(),
                            pullFailures::mount)
                    .await();
            WebhookApp app = new WebhookApp(vertx, holder, registry, readiness, server);
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
                    WebhookApp::reloaded));
            return app;
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
    }

    /** Logging follows a reload; it is reconfigured only when it changed (that replaces its writer thread). */
    private static void reloaded(LoadedConfig before, LoadedConfig after) {
        Settings.Logging logging = after.settings().logging();
        if (!before.settings().logging().equals(logging)) {
            LogSetup.configure(logOptions(after.settings()));
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

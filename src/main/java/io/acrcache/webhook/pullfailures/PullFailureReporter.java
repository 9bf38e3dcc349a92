package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Settings;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The pull-failure feature as the application sees it: start, mount the report on the ops router, stop. Off
 * ({@code pullFailures.enabled: false}) it creates no Kubernetes client, so the webhook needs no RBAC on Events, and
 * the report answers 404 saying how to turn it on.
 */
public final class PullFailureReporter {
    private static final Logger LOG = Logger.getLogger(PullFailureReporter.class.getName());
    /** Retries per request of the reporter's own client (one: a blip, not an outage). */
    static final int REQUEST_RETRIES = 1;
    /** How often the watch's state is brought up to date when nobody reads the report. */
    static final long REFRESH_MILLIS = 5_000;

    private final Vertx vertx;
    private final KubernetesClient client;
    private final boolean ownsClient;
    private final EventWatcher watcher;
    private final PullFailureStore store;
    private final Clock clock;
    /** Why the report is on but cannot watch; null otherwise. */
    private final String unavailable;
    /** The periodic {@link EventWatcher#refresh()}; -1 without a watcher. */
    private final long refreshTimer;

    private PullFailureReporter(
            Vertx vertx,
            KubernetesClient client,
            boolean ownsClient,
            EventWatcher watcher,
            PullFailureStore store,
            Clock clock,
            String unavailable,
            long refreshTimer) {
        this.refreshTimer = refreshTimer;
        this.vertx = vertx;
        this.unavailable = unavailable;
        this.client = client;
        this.ownsClient = ownsClient;
        this.watcher = watcher;
        this.store = store;
        this.clock = clock;
    }

    /**
     * Starts watching Events when {@code pullFailures.enabled} is set, with a client configured the way kubectl would
     * be (service account in a Pod, kubeconfig outside) on the server's Vert.x. Succeeds once the informers are
     * started.
     *
     * @param synced told false when the informers start and true once they have synced: readiness condition
     *     {@value EventWatcher#READINESS}
     */
    public static Future<PullFailureReporter> start(
            Vertx vertx, Supplier<LoadedConfig> config, MeterRegistry registry, Consumer<Boolean> synced) {
        return start(vertx, config, registry, synced, CacheListener.NONE);
    }

    /**
     * A failed pull of an image on the ACR login server, as the registry guard takes it. Hears only failures that
     * happened while this process runs and that the Pod's own status confirms ({@link KubeletEvidenceCheck}); called on
     * a worker thread, never on an event loop.
     */
    @FunctionalInterface
    public interface CacheListener {
        CacheListener NONE = new CacheListener() {
            @Override
            public void cachePullFailed(KubeletFailure failure) {}

            @Override
            public boolean listening() {
                return false;
            }
        };

        void cachePullFailed(KubeletFailure failure);

        /** False while nobody would act on a failure (the guard is off): then no Pod is read to confirm one. */
        default boolean listening() {
            return true;
        }
    }

    /** As above; {@code listener} hears each failed pull from the login server (the registry guard's signal). */
    public static Future<PullFailureReporter> start(
            Vertx vertx,
            Supplier<LoadedConfig> config,
            MeterRegistry registry,
            Consumer<Boolean> synced,
            CacheListener listener) {
        if (!config.get().settings().pullFailures().enabled()) {
            return Future.succeededFuture(disabled(vertx));
        }
        Optional<String> noCluster = ClusterAccess.missing();
        if (noCluster.isPresent()) {
            // said at once, not as a DNS failure 20 s later; admission starts regardless
            LOG.warning("pull-failure report is on but cannot start: " + noCluster.get());
            synced.accept(false);
            return Future.succeededFuture(unavailable(vertx, noCluster.get()));
        }
        return vertx.executeBlocking(
                        () -> new KubernetesClientBuilder()
                                .withConfig(clientConfig())
                                .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
                                .build(),
                        false)
                .map(client -> {
                    LOG.info("pull-failure report: watching Events through " + client.getMasterUrl());
                    return create(vertx, client, true, config, registry, synced, Clock.systemUTC(), listener);
                });
    }

    /** Configured the way kubectl is: kubeconfig or the Pod's service-account files. */
    static Config clientConfig() {
        Config config = Config.autoConfigure(null);
        // the informer retries failed lists without end, with back-off; the client's own ten retries per request
        // would only hold back the first word that the API server cannot be reached by some 20 seconds
        config.setRequestRetryBackoffLimit(REQUEST_RETRIES);
        return config;
    }

    /**
     * Starts watching with a client the caller owns (tests: a mock API server), whatever {@code pullFailures.enabled}
     * says; {@link #stop()} leaves the client open.
     */
    public static PullFailureReporter start(
            Vertx vertx,
            KubernetesClient client,
            Supplier<LoadedConfig> config,
            MeterRegistry registry,
            Consumer<Boolean> synced,
            Clock clock) {
        return create(vertx, client, false, config, registry, synced, clock, CacheListener.NONE);
    }

    /** As above, with a listener for failed pulls from the login server. */
    public static PullFailureReporter start(
            Vertx vertx,
            KubernetesClient client,
            Supplier<LoadedConfig> config,
            MeterRegistry registry,
            Consumer<Boolean> synced,
            Clock clock,
            CacheListener listener) {
        return create(vertx, client, false, config, registry, synced, clock, listener);
    }

    /** A reporter that watches nothing and whose report says it is off. */
    public static PullFailureReporter disabled(Vertx vertx) {
        return new PullFailureReporter(vertx, null, false, null, null, Clock.systemUTC(), null, -1);
    }

    /** On, but no cluster to watch: the report answers 503 with the reason. */
    static PullFailureReporter unavailable(Vertx vertx, String reason) {
        return new PullFailureReporter(vertx, null, false, null, null, Clock.systemUTC(), reason, -1);
    }

    private static PullFailureReporter create(
            Vertx vertx,
            KubernetesClient client,
            boolean ownsClient,
            Supplier<LoadedConfig> config,
            MeterRegistry registry,
            Consumer<Boolean> synced,
            Clock clock,
            CacheListener listener) {
        PullFailureStore store = new PullFailureStore(() -> limits(config.get().settings()), clock);
        PullFailureMetrics metrics = new PullFailureMetrics(registry, store);
        // Event times have whole seconds: a failure in the second the process started still counts
        KubeletEvidenceCheck evidence = new KubeletEvidenceCheck(
                (namespace, name) -> vertx.executeBlocking(
                        () -> client.pods()
                                .inNamespace(namespace)
                                .withName(name)
                                .get(),
                        false),
                clock);
        EventSink sink = new EventSink(
                config, store, metrics, clock, clock.instant().truncatedTo(ChronoUnit.SECONDS), listener, evidence);
        EventWatcher watcher =
                new EventWatcher(client, config.get().settings().pullFailures().namespaces(), sink, synced, clock);
        watcher.start().whenComplete((v, e) -> {
            if (e != null && !watcher.isStopped()) {
                LOG.log(Level.WARNING, "event informer ended before it synced: " + EventWatcher.describe(e));
            }
        });
        long timer = vertx.setPeriodic(REFRESH_MILLIS, id -> watcher.refresh());
        return new PullFailureReporter(vertx, client, ownsClient, watcher, store, clock, null, timer);
    }

    /** Adds {@code GET /pull-failures} to the ops router. */
    public void mount(Router ops) {
        if (unavailable != null) {
            String reason = unavailable;
            ops.get(PullFailureReportEndpoint.PATH)
                    .handler(ctx -> PullFailureReportEndpoint.error(
                            ctx, 503, "the pull-failure report cannot watch Events: " + reason));
        } else if (store == null) {
            ops.get(PullFailureReportEndpoint.PATH)
                    .handler(
                            ctx -> PullFailureReportEndpoint.error(
                                    ctx,
                                    404,
                                    "the pull-failure report is off: set pullFailures.enabled=true (ACW_PULL_FAILURES_ENABLED=true)"));
        } else {
            ops.get(PullFailureReportEndpoint.PATH)
                    .handler(new PullFailureReportEndpoint(store, clock, watcher::state));
        }
    }

    /** Stops the informers and closes the client if this reporter made it. */
    public Future<Void> stop() {
        if (watcher == null) {
            return Future.succeededFuture();
        }
        vertx.cancelTimer(refreshTimer);
        return vertx.executeBlocking(
                () -> {
                    watcher.stop();
                    if (ownsClient) {
                        client.close();
                    }
                    return null;
                },
                false);
    }

    /** The whole report, newest first (as {@code /pull-failures} without filters); null when off or unavailable. */
    public List<ReportEntry> report() {
        return store == null ? null : store.query(ReportQuery.ALL);
    }

    public boolean enabled() {
        return watcher != null;
    }

    PullFailureStore store() {
        return store;
    }

    EventWatcher watcher() {
        return watcher;
    }

    static PullFailureStore.Limits limits(Settings settings) {
        Settings.PullFailures p = settings.pullFailures();
        return new PullFailureStore.Limits(
                Math.max(1, p.maxEntries()), Duration.ofMinutes(Math.max(1, p.retentionMinutes())));
    }

    /**
     * Turns informer notifications into store entries and metrics. Runs on Fabric8's notification thread, never on an
     * event loop; reads the configuration per Event so reloads apply at once.
     */
    static final class EventSink implements ResourceEventHandler<Event> {
        private final Supplier<LoadedConfig> config;
        private final PullFailureStore store;
        private final PullFailureMetrics metrics;
        private final Clock clock;
        private final Instant startedAt;
        private final CacheListener listener;
        private final KubeletEvidenceCheck evidence;

        EventSink(
                Supplier<LoadedConfig> config,
                PullFailureStore store,
                PullFailureMetrics metrics,
                Clock clock,
                Instant startedAt,
                CacheListener listener,
                KubeletEvidenceCheck evidence) {
            this.listener = listener;
            this.evidence = evidence;
            this.config = config;
            this.store = store;
            this.metrics = metrics;
            this.clock = clock;
            this.startedAt = startedAt;
        }

        @Override
        public void onAdd(Event event) {
            ingest(event);
        }

        @Override
        public void onUpdate(Event oldEvent, Event newEvent) {
            ingest(newEvent);
        }

        @Override
        public void onDelete(Event event, boolean deletedFinalStateUnknown) {
            if (event != null
                    && event.getMetadata() != null
                    && event.getMetadata().getUid() != null) {
                store.forget(event.getMetadata().getUid());
            }
        }

        void ingest(Event event) {
            Optional<PullFailure> found = PullFailureClassifier.classify(event, clock.instant());
            if (found.isEmpty()) {
                return;
            }
            PullFailure f = found.get();
            LoadedConfig cfg = config.get();
            Explanation why;
            if (f.rateLimited()) {
                why = FailureExplainer.explain(f.image(), f.namespace(), f.message(), cfg);
            } else {
                Optional<Explanation> onCache = FailureExplainer.onLoginServer(f.image(), f.message(), cfg);
                if (onCache.isEmpty()) {
                    return;
                }
                why = onCache.get();
            }
            long delta = store.record(f, why);
            // Events that last happened before this process started were counted by its predecessor:
            // counting them again would show as fresh failures after every restart.
            if (!f.lastSeen().isBefore(startedAt)) {
                if (f.rateLimited()) {
                    metrics.rateLimited(f.namespace(), why, delta);
                } else {
                    metrics.cacheFailed(f.namespace(), why, delta);
                }
                if (delta > 0 && why.rule() != null && isCacheSide(why.category()) && listener.listening()) {
                    tellIfTheKubeletSaysSo(f, why);
                }
            }
        }

        /** The report keeps every Event; the guard hears only what the Pod's status confirms. */
        private void tellIfTheKubeletSaysSo(PullFailure f, Explanation why) {
            KubeletFailure heard =
                    new KubeletFailure(why.rule(), f.image(), why.category(), f.namespace() + "/" + f.pod(), f.node());
            evidence.check(f).onSuccess(result -> {
                metrics.kubeletCheck(result.label());
                if (result != KubeletEvidenceCheck.Result.VERIFIED) {
                    return;
                }
                try {
                    listener.cachePullFailed(heard);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "pull-failure listener failed: " + e, e);
                }
            });
        }

        private static boolean isCacheSide(FailureCategory c) {
            return switch (c) {
                case CACHE_NOT_FOUND,
                        CACHE_UNAUTHORIZED,
                        CACHE_UPSTREAM_FAILED,
                        CACHE_BLOB_FAILED,
                        CACHE_UPSTREAM_THROTTLED,
                        REGISTRY_THROTTLED -> true;
                case NOT_COVERED, NOT_REWRITTEN -> false;
            };
        }
    }
}

package io.acrcache.webhook.pullfailures;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Informers on core/v1 Events, cluster-wide or one per configured namespace. Listing, watching, reconnecting and
 * relisting after {@code 410 Gone} are Fabric8's; this class only wires them, reports when every informer has synced,
 * and keeps the watch's {@link State} for the report: one log line per change of state, no stack traces.
 */
public final class EventWatcher {
    /** The readiness condition: the first list of Events has been read. */
    public static final String READINESS = "event-informer";

    private static final Logger LOG = Logger.getLogger(EventWatcher.class.getName());
    /** No periodic resync: it would only redeliver Events the store has already counted. */
    private static final long NO_RESYNC = 0L;
    /**
     * Fabric8 logs each failed list or watch with its stack trace (110 lines for a refused connection); every such
     * failure reaches this class's exception handler first, which says it in one line when the state changes. Held
     * here: JUL keeps loggers only weakly, and a collected logger would lose the filter.
     */
    private static final Logger REFLECTOR = quietReflector();
    /** An API server closes watches every few minutes; only a watch missing longer than this is reported. */
    static final Duration WATCH_LOST_GRACE = Duration.ofSeconds(15);

    /** What the watch is doing, as {@code GET /pull-failures} shows it. */
    public enum Phase {
        /** Listing for the first time, or re-establishing a lost watch. */
        CONNECTING,
        /** Every informer has listed and watches. */
        SYNCED,
        /** The last list or watch failed (API server unreachable, no RBAC); retried with back-off. */
        UNREACHABLE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The watch's state, since when, and what it was last told (the failure, or what is watched). */
    public record State(Phase phase, Instant since, String detail) {}

    private final KubernetesClient client;
    private final List<String> namespaces;
    private final ResourceEventHandler<Event> handler;
    private final Consumer<Boolean> onSynced;
    private final Clock clock;
    private final List<SharedIndexInformer<Event>> informers = new ArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile boolean stopped;
    private volatile boolean everSynced;
    private State state;
    /** When a synced watch was first seen missing; null while watching. */
    private Instant notWatchingSince;

    /**
     * @param namespaces the namespaces to watch; empty watches all
     * @param synced told false on {@link #start()} and true once every informer has listed (the readiness condition
     *     {@link #READINESS})
     */
    public EventWatcher(
            KubernetesClient client,
            List<String> namespaces,
            ResourceEventHandler<Event> handler,
            Consumer<Boolean> synced) {
        this(client, namespaces, handler, synced, Clock.systemUTC());
    }

    /** As above, with the clock that dates the {@link State}. */
    public EventWatcher(
            KubernetesClient client,
            List<String> namespaces,
            ResourceEventHandler<Event> handler,
            Consumer<Boolean> synced,
            Clock clock) {
        this.client = client;
        this.namespaces = List.copyOf(namespaces);
        this.handler = handler;
        this.onSynced = synced;
        this.clock = clock;
        this.state = new State(Phase.CONNECTING, clock.instant(), "not started");
    }

    /**
     * Starts the informers; the answer completes when all have listed once. Until then, and while the first list keeps
     * failing (no RBAC, API server unreachable), readiness waits: Fabric8 keeps retrying with back-off.
     */
    public synchronized CompletableFuture<Void> start() {
        onSynced.accept(false);
        state = new State(Phase.CONNECTING, clock.instant(), "listing Events in " + scope());
        List<CompletableFuture<Void>> synced = new ArrayList<>();
        if (namespaces.isEmpty()) {
            synced.add(startOne(client.v1().events().inAnyNamespace(), "all namespaces"));
        } else {
            for (String ns : namespaces) {
                synced.add(startOne(client.v1().events().inNamespace(ns), "namespace " + ns));
            }
        }
        return CompletableFuture.allOf(synced.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            if (e == null) {
                onSynced.accept(true);
                everSynced = true;
                moveTo(Phase.SYNCED, "watching Events in " + scope());
            }
        });
    }

    private String scope() {
        return namespaces.isEmpty() ? "all namespaces" : "namespaces " + String.join(", ", namespaces);
    }

    /** The current state, brought up to date with what the informers say. */
    public State state() {
        refresh();
        synchronized (this) {
            return state;
        }
    }

    /**
     * Notices what no exception reports: a watch that is back after a failure, or a synced watch gone for longer than
     * {@link #WATCH_LOST_GRACE}. Cheap; the reporter calls it every few seconds so the log follows without a reader.
     */
    public void refresh() {
        if (stopped || !everSynced) {
            return;
        }
        boolean watching = isWatching();
        Instant now = clock.instant();
        synchronized (this) {
            if (watching) {
                notWatchingSince = null;
                if (state.phase() != Phase.SYNCED) {
                    moveTo(Phase.SYNCED, "watching Events in " + scope() + " again");
                }
            } else if (state.phase() == Phase.SYNCED) {
                if (notWatchingSince == null) {
                    notWatchingSince = now;
                } else if (!now.isBefore(notWatchingSince.plus(WATCH_LOST_GRACE))) {
                    moveTo(
                            Phase.CONNECTING,
                            "the watch on Events in " + scope() + " was lost at " + notWatchingSince
                                    + " and is being re-established");
                }
            }
        }
    }

    /** Records the state; logs one line when the phase changes (a new detail in the same phase is only recorded). */
    private synchronized void moveTo(Phase phase, String detail) {
        if (stopped) {
            return;
        }
        boolean changed = phase != state.phase();
        state = new State(phase, changed ? clock.instant() : state.since(), detail);
        if (!changed) {
            return;
        }
        String line = "pull-failure report: event watch " + phase.label() + ": " + detail;
        if (phase == Phase.SYNCED) {
            LOG.info(line);
        } else {
            LOG.warning(phase == Phase.UNREACHABLE ? line + "; retrying with back-off" : line);
        }
    }

    /** A failure in one line: the API server's status, else the message of the failure under the wrappers. */
    static String describe(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null
                && (cause instanceof CompletionException
                        || cause instanceof ExecutionException
                        || (cause instanceof KubernetesClientException k && k.getCode() <= 0))) {
            cause = cause.getCause();
        }
        if (cause instanceof KubernetesClientException k && k.getCode() > 0) {
            String message = k.getStatus() != null && k.getStatus().getMessage() != null
                    ? k.getStatus().getMessage()
                    : k.getMessage();
            return "HTTP " + k.getCode() + ": " + message;
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    /** Failures the exception handler has seen (tests wait for retries with it). */
    int failures() {
        return failures.get();
    }

    private static Logger quietReflector() {
        Logger reflector = Logger.getLogger("io.fabric8.kubernetes.client.informers.impl.cache.Reflector");
        reflector.setFilter(r -> {
            String message = r.getMessage();
            return message == null || !(message.contains(" failed for ") && message.contains(", will "));
        });
        return reflector;
    }

    private CompletableFuture<Void> startOne(
            FilterWatchListDeletable<Event, EventList, Resource<Event>> events, String scope) {
        // pull failures are always Warnings; the field selector keeps Normal Events out of the cache
        SharedIndexInformer<Event> informer =
                events.withField("type", "Warning").runnableInformer(NO_RESYNC);
        informer.addEventHandler(handler);
        informer.exceptionHandler((started, t) -> {
            if (stopped) {
                return false; // a request still retrying when the client closed
            }
            // keep trying: RBAC may be granted, the API server may come back
            failures.incrementAndGet();
            moveTo(Phase.UNREACHABLE, "cannot list or watch Events in " + scope + ": " + describe(t));
            return true;
        });
        informers.add(informer);
        return informer.start().toCompletableFuture();
    }

    /** Whether every informer currently holds an open watch (for tests and diagnostics). */
    public synchronized boolean isWatching() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::isWatching);
    }

    public synchronized void stop() {
        stopped = true;
        informers.forEach(SharedIndexInformer::stop);
        informers.clear();
    }

    /** Whether {@link #stop()} was called: an unsynced informer then ends on purpose. */
    public boolean isStopped() {
        return stopped;
    }
}

package io.acrcache.webhook.pullfailures;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Informers on core/v1 Events, cluster-wide or one per configured namespace. Listing, watching, reconnecting and
 * relisting after {@code 410 Gone} are Fabric8's; this class only wires them and reports when every informer has
 * synced.
 */
public final class EventWatcher {
    /** The readiness condition: the first list of Events has been read. */
    public static final String READINESS = "event-informer";

    private static final Logger LOG = Logger.getLogger(EventWatcher.class.getName());
    /** No periodic resync: it would only redeliver Events the store has already counted. */
    private static final long NO_RESYNC = 0L;

    private final KubernetesClient client;
    private final List<String> namespaces;
    private final ResourceEventHandler<Event> handler;
    private final Consumer<Boolean> onSynced;
    private final List<SharedIndexInformer<Event>> informers = new ArrayList<>();
    private volatile boolean stopped;

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
        this.client = client;
        this.namespaces = List.copyOf(namespaces);
        this.handler = handler;
        this.onSynced = synced;
    }

    /**
     * Starts the informers; the answer completes when all have listed once. Until then, and while the first list keeps
     * failing (no RBAC, API server unreachable), readiness waits: Fabric8 keeps retrying with back-off.
     */
    public synchronized CompletableFuture<Void> start() {
        onSynced.accept(false);
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
                LOG.info("event informer synced (" + (namespaces.isEmpty() ? "all namespaces" : namespaces) + ")");
            }
        });
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
            LOG.log(Level.WARNING, "event informer (" + scope + "): " + t.getMessage() + "; retrying");
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

package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.config.ConfigHolder;
import io.acrcache.webhook.config.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Rules from the registry as one feature: the periodic ARM sync (with {@code registry.resourceId}), what each snapshot
 * does to the rules in force or the drift report, and {@code GET /rules}. Without a registry it is {@code /rules}
 * alone, describing the file's rules.
 */
public final class RegistrySync implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RegistrySync.class.getName());
    /** The readiness condition (and note) of the first registry sync. */
    public static final String READINESS = "registry-sync";
    /** Readiness waits this long at most for the first sync; ARM never holds admission back longer. */
    static final Duration FIRST_SYNC_TIMEOUT = Duration.ofSeconds(10);

    private final ConfigHolder holder;
    private final Settings.Registry settings;
    private final List<Consumer<ApplyResult>> listeners;
    private final AzureRegistrySync sync;
    private final RulesEndpoint endpoint;

    private RegistrySync(
            ConfigHolder holder,
            Settings.Registry settings,
            List<Consumer<ApplyResult>> listeners,
            AzureRegistrySync sync,
            RulesEndpoint endpoint) {
        this.holder = holder;
        this.settings = settings;
        this.listeners = listeners;
        this.sync = sync;
        this.endpoint = endpoint;
    }

    /**
     * Builds the feature; nothing is fetched until {@link #start}.
     *
     * @param configFile the file the rules came from, for {@code /rules}; null on defaults
     * @param client the process's Azure HTTP client; tokens the process's Entra token source
     */
    public static RegistrySync create(
            Vertx vertx,
            ConfigHolder holder,
            Path configFile,
            WebClient client,
            AccessTokenSource tokens,
            MeterRegistry meters) {
        Settings.Registry settings = holder.get().settings().registry();
        List<Consumer<ApplyResult>> listeners = new CopyOnWriteArrayList<>();
        AzureRegistrySync sync = null;
        RegistryRulesApplier applier = null;
        if (settings.configured()) {
            applier = new RegistryRulesApplier(holder, settings.ruleSync(), listeners);
            sync = AzureRegistrySync.create(
                    vertx,
                    client,
                    tokens,
                    settings.resourceId(),
                    settings.armEndpoint(),
                    Duration.ofSeconds(settings.ruleSyncIntervalSeconds()),
                    applier,
                    meters);
        }
        AzureRegistrySync s = sync;
        RulesEndpoint endpoint = new RulesEndpoint(
                holder,
                configFile,
                settings,
                applier,
                s == null ? null : () -> s.sync().status());
        return new RegistrySync(holder, settings, listeners, sync, endpoint);
    }

    /** Whether a registry is configured, i.e. whether there is a first sync to wait for. */
    public boolean configured() {
        return sync != null;
    }

    /**
     * Hear every registry snapshot applied (rules in force) or compared (drift), with each rule's credential set and
     * health; called on a Vert.x event loop after the swap. Add before {@link #start}.
     */
    public List<Consumer<ApplyResult>> listeners() {
        return listeners;
    }

    /** {@code GET /rules} on the ops router. */
    public void mount(Router router) {
        router.get(RulesEndpoint.PATH).handler(endpoint);
    }

    /** The path of {@link #mount}'s route. */
    public static String path() {
        return RulesEndpoint.PATH;
    }

    /**
     * Starts syncing; a no-op without a registry. {@code readiness} hears once, after the first sync or
     * {@link #FIRST_SYNC_TIMEOUT} whatever its result, what to say about it: null after a success, otherwise the note
     * (also logged); and null again after each later success, which lifts that note.
     */
    public void start(Consumer<String> readiness) {
        if (sync == null) {
            return;
        }
        listeners.add(result -> readiness.accept(null));
        sync.sync().start();
        sync.sync().firstSync(FIRST_SYNC_TIMEOUT).onComplete(ar -> readiness.accept(firstSyncNote()));
    }

    private String firstSyncNote() {
        SyncStatus status = sync.sync().status();
        if ("success".equals(status.result())) {
            return null;
        }
        String cause = "pending".equals(status.result())
                ? "no answer within " + FIRST_SYNC_TIMEOUT.toSeconds() + " s"
                : status.error();
        int n = holder.get().ruleSet().size();
        String note = settings.ruleSync()
                ? "first registry sync failed (" + cause + "): serving the configured " + n
                        + " rule(s) until a sync succeeds"
                : "first drift check against the registry failed (" + cause + "); the configured " + n
                        + " rule(s) serve";
        LOG.warning(note);
        return note;
    }

    /** {@code registry.*} is read once: a reload that changes it is said, and takes effect at the next restart. */
    public static void reloaded(Settings before, Settings after) {
        if (!before.registry().equals(after.registry())) {
            LOG.warning("registry settings changed: they take effect at the next restart");
        }
    }

    /** The registry's status as {@code /rules} shows it; null without {@code registry.resourceId}. */
    public SyncStatus status() {
        return sync == null ? null : sync.sync().status();
    }

    @Override
    public void close() {
        if (sync != null) {
            sync.close();
        }
    }
}

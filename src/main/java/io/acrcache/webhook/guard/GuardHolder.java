package io.acrcache.webhook.guard;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.rulesync.ApplyResult;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The guard as the configuration says now: built when {@code guard.enabled} turns on, rebuilt when its settings or the
 * login server change, closed when it turns off; canaries re-translated through the current rules on every config.
 * {@link #get()} is what admission asks (null while off): one volatile read.
 */
public final class GuardHolder implements Supplier<Guard>, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GuardHolder.class.getName());

    private final BiFunction<GuardSettings, Guard, Guard> factory;
    private final UnaryOperator<GuardSettings> tuning;
    private final MeterRegistry meters;
    private volatile Guard current;
    private GuardSettings currentSettings;
    private String currentLogin;
    private List<String> canaryProblems = List.of();

    /** A holder whose guards start afresh on each rebuild (tests). */
    public GuardHolder(
            Function<GuardSettings, Guard> factory, UnaryOperator<GuardSettings> tuning, MeterRegistry meters) {
        this((settings, previous) -> factory.apply(settings), tuning, meters);
    }

    /**
     * @param factory builds a guard for settings over the guard it replaces (null at first and after a change of login
     *     server), see {@link Guard#Guard(io.vertx.core.Vertx, GuardSettings,
     *     io.acrcache.webhook.azure.AccessTokenSource, MeterRegistry, java.time.Clock, Guard)}; the composition root
     *     supplies Vert.x, tokens, meters
     * @param tuning adjusts settings that have no configuration key (tests: {@code scheme http}, fast heartbeats)
     * @param meters where the guard's gauges live (removed when a guard is replaced)
     */
    public GuardHolder(
            BiFunction<GuardSettings, Guard, Guard> factory,
            UnaryOperator<GuardSettings> tuning,
            MeterRegistry meters) {
        this.factory = factory;
        this.tuning = tuning;
        this.meters = meters;
    }

    @Override
    public Guard get() {
        return current;
    }

    /**
     * Follows the configuration in force (at start, on each reload, and after each registry sync: canaries translate
     * through the rules in force, the registry's with {@code registry.ruleSync: true}). Never throws: a guard that
     * cannot be built is logged and the previous state kept (the guard is a companion; admission must stay in service).
     */
    public synchronized void apply(LoadedConfig cfg) {
        try {
            follow(cfg);
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "guard: configuration not applied: " + e, e);
        }
    }

    /**
     * After each registry sync: the snapshot's rule health holds or releases rule breakers, and rules neither in force
     * nor in the registry are forgotten. Never throws, like {@link #apply}.
     *
     * @param inForce the configuration in force after the sync (the registry's rules with {@code ruleSync: true})
     */
    public synchronized void synced(ApplyResult result, LoadedConfig inForce) {
        try {
            follow(inForce); // canaries translate through the rules in force now; settings unchanged: nothing rebuilt
            Guard g = current;
            if (g != null && result.accepted()) {
                Set<String> names = new HashSet<>();
                inForce.ruleSet().rules().forEach(r -> names.add(r.rule().name()));
                RegistryHealthFeed.apply(g, result.health(), names);
            }
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "guard: registry health not applied: " + e, e);
        }
    }

    private void follow(LoadedConfig cfg) {
        if (!cfg.settings().guard().enabled()) {
            if (current != null) {
                LOG.info("guard: off");
                replace(null);
            }
            return;
        }
        GuardSettings settings =
                tuning.apply(GuardConfig.settings(cfg.settings().guard()));
        String login = cfg.settings().acrLoginServer();
        if (current == null || !settings.equals(currentSettings) || !login.equals(currentLogin)) {
            // the old guard keeps serving until the new one is in place; its gauges go first, as a gauge registered
            // again under the same name and tags would stay bound to the old guard's objects. What it learned carries
            // over unless the login server changed (another registry: nothing to carry)
            removeGauges();
            Guard fresh = factory.apply(settings, login.equals(currentLogin) ? current : null);
            replace(fresh);
            currentSettings = settings;
            currentLogin = login;
            fresh.start(Set.of(login));
            LOG.info("guard: on for " + login + " (auth " + settings.auth().label() + ", budget "
                    + settings.inlineBudget().toMillis() + " ms, unknown images: "
                    + settings.unknownPolicy().label() + ")");
        }
        GuardConfig.Canaries canaries = GuardConfig.canaries(cfg);
        if (!canaries.problems().equals(canaryProblems)) {
            // followed after every sync as well: said when they change, not every interval
            canaries.problems().forEach(p -> LOG.warning("guard canary not started: " + p));
            canaryProblems = canaries.problems();
        }
        current.canaries(canaries.targets());
    }

    private void replace(Guard fresh) {
        Guard old = current;
        current = fresh;
        if (old != null) {
            old.close();
        }
        if (fresh == null) {
            removeGauges();
            currentSettings = null;
            currentLogin = null;
        }
    }

    private void removeGauges() {
        for (String name : List.of(GuardMetrics.BREAKER_STATE, GuardMetrics.TOKEN_EXPIRY)) {
            for (Meter m : meters.find(name).meters()) {
                meters.remove(m);
            }
        }
    }

    @Override
    public synchronized void close() {
        replace(null);
    }
}

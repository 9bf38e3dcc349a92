package io.acrcache.webhook.guard;

import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a guard has learned, apart from its connection: verdicts, breakers (rule and registry), each rule's repository
 * window and the kubelet evidence. It outlives the guard: a change of {@code guard.*} builds a new guard over the same
 * memory ({@link GuardHolder}), so a setting change neither forgets a held rule nor re-probes every image. Breakers and
 * windows keep the thresholds they were made with; none of those has a configuration key.
 */
final class GuardMemory {
    private static final Logger LOG = Logger.getLogger(GuardMemory.class.getName());

    final VerdictCache cache;
    final KubeletEvidence kubelet;
    final ConcurrentMap<String, Breaker> ruleBreakers = new ConcurrentHashMap<>();
    final ConcurrentMap<String, Breaker> registryBreakers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, RepositoryWindow> ruleWindows = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile GuardSettings settings;

    GuardMemory(GuardSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.cache = new VerdictCache(settings, clock);
        this.kubelet = new KubeletEvidence(clock, KubeletEvidence.Settings.DEFAULTS);
    }

    /** The memory under new settings: verdicts stored from now on get the new lifetimes. */
    GuardMemory retune(GuardSettings next) {
        settings = next;
        cache.retune(next);
        return this;
    }

    Breaker rule(String name, Consumer<Breaker> created) {
        Breaker b = ruleBreakers.get(name);
        return b != null ? b : breaker(ruleBreakers, "rule", name, settings.ruleFailureThreshold(), created);
    }

    Breaker registry(String loginServer, Consumer<Breaker> created) {
        Breaker b = registryBreakers.get(loginServer);
        return b != null
                ? b
                : breaker(registryBreakers, "registry", loginServer, settings.registryFailureThreshold(), created);
    }

    private Breaker breaker(
            ConcurrentMap<String, Breaker> in, String scope, String name, int threshold, Consumer<Breaker> created) {
        GuardSettings s = settings;
        Breaker fresh = new Breaker(
                scope, name, clock, threshold, s.failureWindow(), s.breakerBackoff(), s.breakerMaxBackoff());
        Breaker b = in.putIfAbsent(name, fresh);
        if (b == null) {
            created.accept(fresh);
            b = fresh;
        }
        return b;
    }

    RepositoryWindow window(String rule) {
        RepositoryWindow w = ruleWindows.get(rule);
        return w != null ? w : ruleWindows.computeIfAbsent(rule, r -> new RepositoryWindow(clock, settings));
    }

    /** The rules whose breaker registry data holds open now. */
    Set<String> heldRules() {
        Set<String> held = new TreeSet<>();
        ruleBreakers.forEach((name, b) -> {
            if (b.held()) {
                held.add(name);
            }
        });
        return held;
    }

    /** Forgets every rule not in {@code known} (gone from the registry and not in force). */
    void retainRules(Set<String> known) {
        for (String rule : Set.copyOf(ruleBreakers.keySet())) {
            if (!known.contains(rule)) {
                ruleBreakers.remove(rule);
                ruleWindows.remove(rule);
                kubelet.forget(rule);
                LOG.log(Level.INFO, "guard: rule {0} is gone, its breaker dropped", rule);
            }
        }
    }
}

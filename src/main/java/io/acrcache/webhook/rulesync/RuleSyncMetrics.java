package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.outbound.OutboundException;
import io.acrcache.webhook.rulesync.RegistryRules.RuleCredential;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Registry sync meters, all bounded: results are {@code success}, {@code refused} and the failure causes; credential
 * health exists only for rules in force (ACR allows at most 1,000) and is removed with them.
 */
final class RuleSyncMetrics {
    static final String SYNC = "acw.registry.sync";
    static final String LAST_SUCCESS = "acw.registry.sync.last.success";
    static final String CREDENTIAL_HEALTH = "acw.registry.credential.health";
    static final String SKIPPED = "acw.registry.rules.skipped";
    static final String DRIFT = "acw.registry.drift";

    private final MeterRegistry registry;
    private final Map<String, Counter> syncByResult = new HashMap<>();
    private final AtomicLong lastSuccessEpochSeconds = new AtomicLong();
    private final AtomicInteger skipped = new AtomicInteger();
    private final Map<String, AtomicInteger> drift = new HashMap<>();
    private final Map<List<String>, Gauge> health = new HashMap<>();
    private final Map<List<String>, AtomicInteger> healthValues = new HashMap<>();

    RuleSyncMetrics(MeterRegistry registry) {
        this.registry = registry;
        counter("success");
        counter("refused");
        for (OutboundException.Kind kind : OutboundException.Kind.callFailures()) {
            counter(kind.label());
        }
        Gauge.builder(LAST_SUCCESS, lastSuccessEpochSeconds, AtomicLong::get)
                .description("When the registry's rules were last read successfully (Unix time, 0 before)")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder(SKIPPED, skipped, AtomicInteger::get)
                .description("Registry cache rules left out of the last accepted sync (not Succeeded or refused)")
                .register(registry);
    }

    private void counter(String result) {
        syncByResult.put(
                result,
                Counter.builder(SYNC)
                        .description("Registry rule syncs, by result")
                        .tag("result", result)
                        .register(registry));
    }

    void result(String result) {
        syncByResult.get(result).increment();
    }

    synchronized void accepted(long epochSeconds, ApplyResult applied) {
        lastSuccessEpochSeconds.set(epochSeconds);
        skipped.set(applied.skipped().size());
        updateHealth(applied.credentials());
        if (applied.drift() != null) {
            driftGauge("only_file").set(applied.drift().onlyInFile().size());
            driftGauge("only_registry").set(applied.drift().onlyInRegistry().size());
            driftGauge("target_differs").set(applied.drift().differentTargets().size());
        }
    }

    private AtomicInteger driftGauge(String kind) {
        return drift.computeIfAbsent(kind, k -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder(DRIFT, value, AtomicInteger::get)
                    .description("Rules that differ between the rules file and the registry, by kind")
                    .tag("kind", k)
                    .register(registry);
            return value;
        });
    }

    private void updateHealth(List<RuleCredential> credentials) {
        Set<List<String>> now = new HashSet<>();
        for (RuleCredential c : credentials) {
            List<String> key = List.of(c.rule(), c.credentialSet());
            now.add(key);
            AtomicInteger value = healthValues.computeIfAbsent(key, k -> {
                AtomicInteger v = new AtomicInteger();
                health.put(
                        k,
                        Gauge.builder(CREDENTIAL_HEALTH, v, AtomicInteger::get)
                                .description("Health of a rule's credential set in the registry (1 healthy, 0 not)")
                                .tag("rule", k.get(0))
                                .tag("credential_set", k.get(1))
                                .register(registry));
                return v;
            });
            value.set(c.healthy() ? 1 : 0);
        }
        for (List<String> gone : new HashSet<>(health.keySet())) {
            if (!now.contains(gone)) {
                registry.remove(health.remove(gone));
                healthValues.remove(gone);
            }
        }
    }
}

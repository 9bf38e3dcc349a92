package io.acrcache.webhook.guard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Guard meters. Labels are bounded: rules and registries come from the configuration, everything else is an enum.
 * Counters are resolved once per label set and then found by identity, so recording on the admission path allocates
 * nothing.
 */
public final class GuardMetrics {
    public static final String DECISIONS = "acw.guard.decisions";
    public static final String PROBES = "acw.guard.probes";
    public static final String INLINE_WAIT = "acw.guard.inline.wait";
    public static final String BREAKER_STATE = "acw.guard.breaker.state";
    public static final String TOKEN_EXPIRY = "acw.guard.token.seconds.to.expiry";

    /** Why a probe was sent: the label {@code kind}. */
    public enum ProbeKind {
        INLINE("inline"),
        BACKGROUND("background"),
        CANARY("canary"),
        HEARTBEAT("heartbeat");

        private final String label;

        ProbeKind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter[]> decisions = new ConcurrentHashMap<>();
    private final Map<ProbeKind, Counter[]> probes = new EnumMap<>(ProbeKind.class);
    private final Timer inlineWait;

    public GuardMetrics(MeterRegistry registry) {
        this.registry = registry;
        int outcomes = ProbeResult.Outcome.values().length;
        int origins = ProbeResult.Origin.values().length;
        for (ProbeKind kind : ProbeKind.values()) {
            Counter[] byResult = new Counter[outcomes * origins];
            for (ProbeResult.Outcome o : ProbeResult.Outcome.values()) {
                for (ProbeResult.Origin origin : ProbeResult.Origin.values()) {
                    byResult[o.ordinal() * origins + origin.ordinal()] = Counter.builder(PROBES)
                            .description("Manifest HEADs and registry pings sent by the guard, by result and origin")
                            .tag("kind", kind.label())
                            .tag("result", o.label())
                            .tag("origin", origin.label())
                            .register(registry);
                }
            }
            probes.put(kind, byResult);
        }
        inlineWait = Timer.builder(INLINE_WAIT)
                .description("Time admission waited for guard probes (only admissions that had to wait)")
                .serviceLevelObjectives(
                        Duration.ofMillis(5),
                        Duration.ofMillis(10),
                        Duration.ofMillis(25),
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        Duration.ofMillis(250),
                        Duration.ofMillis(500),
                        Duration.ofMillis(750),
                        Duration.ofMillis(1000),
                        Duration.ofMillis(2500),
                        Duration.ofMillis(4000))
                .register(registry);
    }

    void decision(Verdict v) {
        Counter[] byKind = decisions.computeIfAbsent(v.candidate().rule(), this::decisionCounters);
        byKind[
                v.decision().ordinal() * Verdict.Basis.values().length
                        + v.basis().ordinal()].increment();
    }

    private Counter[] decisionCounters(String rule) {
        int bases = Verdict.Basis.values().length;
        Counter[] counters = new Counter[Verdict.Decision.values().length * bases];
        for (Verdict.Decision d : Verdict.Decision.values()) {
            for (Verdict.Basis b : Verdict.Basis.values()) {
                counters[d.ordinal() * bases + b.ordinal()] = Counter.builder(DECISIONS)
                        .description("Guard decisions for images a rule would rewrite, by basis")
                        .tag("rule", rule)
                        .tag("decision", d.label())
                        .tag("basis", b.label())
                        .register(registry);
            }
        }
        return counters;
    }

    void probe(ProbeKind kind, ProbeResult result) {
        probes
                .get(kind)[
                result.outcome().ordinal() * ProbeResult.Origin.values().length
                        + result.origin().ordinal()].increment();
    }

    void inlineWait(long nanos) {
        inlineWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    void breaker(Breaker breaker) {
        Gauge.builder(BREAKER_STATE, breaker, b -> b.state().gaugeValue())
                .description("Guard breaker state: 0 closed, 1 half-open, 2 open")
                .tag("scope", breaker.scope())
                .tag("name", breaker.name())
                .register(registry);
    }

    /** Removes the decision counters and breaker gauge of each rule not in {@code known} (a rule that has gone). */
    void retainRules(Set<String> known) {
        for (String rule : Set.copyOf(decisions.keySet())) {
            if (!known.contains(rule)) {
                for (Counter c : decisions.remove(rule)) {
                    registry.remove(c);
                }
            }
        }
        for (Meter m : registry.find(BREAKER_STATE).tag("scope", "rule").meters()) {
            if (!known.contains(m.getId().getTag("name"))) {
                registry.remove(m);
            }
        }
    }

    /** @param secondsToExpiry NaN while no such token is held */
    void tokenExpiry(String token, Supplier<Number> secondsToExpiry) {
        Gauge.builder(TOKEN_EXPIRY, secondsToExpiry)
                .description("Seconds until the guard's token expires (NaN: none held)")
                .tag("token", token)
                .register(registry);
    }
}

package io.acrcache.webhook.admission.metrics;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.Outcome;
import io.acrcache.webhook.admission.SkipReason;
import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.rules.CompiledRule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Admission meters. Every label is bounded: operations and outcomes are fixed sets, registries and rules come from the
 * configuration (ACR allows at most 1,000 rules), reasons are an enum. Meters are resolved once per label set and then
 * found by identity, so recording allocates nothing.
 */
public final class AdmissionMetrics {
    public static final String REQUESTS = "acw.admission.requests";
    public static final String DURATION = "acw.admission.duration";
    public static final String REWRITTEN = "acw.images.rewritten";
    public static final String SKIPPED = "acw.images.skipped";
    public static final String AUDIT = "acw.images.audit.would.rewrite";
    public static final String MALFORMED = "acw.admission.malformed";
    private static final List<String> OPERATIONS = List.of("CREATE", "UPDATE", "DELETE", "CONNECT", "other");

    private final MeterRegistry registry;
    private final Counter malformed;
    private final Map<String, Counter[]> requestsByOperation = new ConcurrentHashMap<>();
    private final Map<String, Timer> durationByOperation = new ConcurrentHashMap<>();
    private final Map<SkipReason, Counter> skipped = new EnumMap<>(SkipReason.class);
    // keyed by rule (a value): equal rules after a reload find the same counter, Micrometer dedupes the rest
    private final ConcurrentMap<CompiledRule, Counter> rewritten = new ConcurrentHashMap<>();
    private final ConcurrentMap<CompiledRule, Counter> audited = new ConcurrentHashMap<>();

    public AdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.malformed = Counter.builder(MALFORMED)
                .description("Request bodies refused with 400 because they are not an AdmissionReview")
                .register(registry);
        for (String op : OPERATIONS) {
            Counter[] byOutcome = new Counter[Outcome.values().length];
            for (Outcome outcome : Outcome.values()) {
                byOutcome[outcome.ordinal()] = Counter.builder(REQUESTS)
                        .description("AdmissionReviews answered, by operation and outcome")
                        .tag("operation", op)
                        .tag("outcome", outcome.label())
                        .register(registry);
            }
            requestsByOperation.put(op, byOutcome);
            durationByOperation.put(
                    op,
                    Timer.builder(DURATION)
                            .description("Time to answer an AdmissionReview, from body received to answer serialized")
                            .tag("operation", op)
                            .serviceLevelObjectives(
                                    micros(100),
                                    micros(250),
                                    micros(500),
                                    millis(1),
                                    millis(2),
                                    millis(5),
                                    millis(10),
                                    millis(25),
                                    millis(50),
                                    millis(100),
                                    millis(250),
                                    millis(1000))
                            .register(registry));
        }
        for (SkipReason reason : SkipReason.values()) {
            skipped.put(
                    reason,
                    Counter.builder(SKIPPED)
                            .description("Images left as they were, by reason")
                            .tag("reason", reason.label())
                            .register(registry));
        }
    }

    public void record(AdmissionResult result, long nanos) {
        String operation = requestsByOperation.containsKey(result.operation()) ? result.operation() : "other";
        requestsByOperation.get(operation)[result.outcome().ordinal()].increment();
        durationByOperation.get(operation).record(nanos, TimeUnit.NANOSECONDS);
        if (result.dryRun()) {
            return; // a dry run changes nothing: it is not counted as images rewritten
        }
        for (ImageDecision d : result.decisions()) {
            if (d.isRewrite()) {
                counter(result.mode() == Mode.AUDIT, d.match().rule()).increment();
            } else {
                skipped.get(d.skipReason()).increment();
            }
        }
    }

    /**
     * Registers the meters {@code result} would count, without counting it: a synthetic review of the start-up warm-up,
     * so that the first real one does not pay for creating them.
     */
    public void prepare(AdmissionResult result) {
        for (ImageDecision d : result.decisions()) {
            if (d.isRewrite()) {
                counter(result.mode() == Mode.AUDIT, d.match().rule());
            }
        }
    }

    /** A request body refused because it is not an AdmissionReview. */
    public void malformed() {
        malformed.increment();
    }

    private Counter counter(boolean audit, CompiledRule rule) {
        return (audit ? audited : rewritten)
                .computeIfAbsent(
                        rule,
                        r -> Counter.builder(audit ? AUDIT : REWRITTEN)
                                .description(
                                        audit
                                                ? "Images audit mode would have rewritten"
                                                : "Images rewritten to the ACR artifact cache")
                                .tag("registry", r.upstream())
                                .tag("rule", r.name())
                                .register(registry));
    }

    private static Duration micros(long n) {
        return Duration.ofNanos(n * 1000);
    }

    private static Duration millis(long n) {
        return Duration.ofMillis(n);
    }
}

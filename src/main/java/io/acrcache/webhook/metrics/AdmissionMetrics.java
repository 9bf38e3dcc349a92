package io.acrcache.webhook.metrics;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.Outcome;
import io.acrcache.webhook.config.Mode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Admission meters. Every label is bounded: operations and outcomes are fixed sets, registries and
 * rules come from the configuration (ACR allows at most 1,000 rules), reasons are an enum. Meters are
 * cached per label set so the hot path does no registry look-up after the first request.
 */
public final class AdmissionMetrics {
    public static final String REQUESTS = "acw.admission.requests";
    public static final String DURATION = "acw.admission.duration";
    public static final String REWRITTEN = "acw.images.rewritten";
    public static final String SKIPPED = "acw.images.skipped";
    public static final String AUDIT = "acw.images.audit.would.rewrite";

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

    public AdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
        // registered up front so a scrape shows zeroes before the first request
        for (Outcome outcome : Outcome.values()) {
            requests("CREATE", outcome);
        }
    }

    public void record(AdmissionResult result, long nanos) {
        String operation = boundedOperation(result.operation());
        requests(operation, result.outcome()).increment();
        timers.computeIfAbsent(operation, op -> Timer.builder(DURATION)
                .description("Time to answer an AdmissionReview, from body received to answer serialized")
                .tag("operation", op)
                .serviceLevelObjectives(micros(100), micros(250), micros(500), millis(1), millis(2), millis(5),
                        millis(10), millis(25), millis(50), millis(100), millis(250), millis(1000))
                .register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (result.dryRun()) {
            return; // a dry run changes nothing: it is not counted as images rewritten
        }
        for (ImageDecision d : result.decisions()) {
            if (d.isRewrite()) {
                String name = result.mode() == Mode.AUDIT ? AUDIT : REWRITTEN;
                String key = name + '|' + d.match().rule().upstream() + '|' + d.match().rule().name();
                counters.computeIfAbsent(key, k -> Counter.builder(name)
                        .description(name.equals(AUDIT) ? "Images audit mode would have rewritten"
                                : "Images rewritten to the ACR artifact cache")
                        .tag("registry", d.match().rule().upstream())
                        .tag("rule", d.match().rule().name())
                        .register(registry)).increment();
            } else {
                String reason = d.skipReason().label();
                counters.computeIfAbsent(SKIPPED + '|' + reason, k -> Counter.builder(SKIPPED)
                        .description("Images left as they were, by reason")
                        .tag("reason", reason)
                        .register(registry)).increment();
            }
        }
    }

    private Counter requests(String operation, Outcome outcome) {
        return counters.computeIfAbsent(REQUESTS + '|' + operation + '|' + outcome.label(), k -> Counter.builder(REQUESTS)
                .description("AdmissionReviews answered, by operation and outcome")
                .tag("operation", operation)
                .tag("outcome", outcome.label())
                .register(registry));
    }

    private static String boundedOperation(String op) {
        switch (op) {
            case "CREATE":
            case "UPDATE":
            case "DELETE":
            case "CONNECT":
                return op;
            default:
                return "other";
        }
    }

    private static Duration micros(long n) {
        return Duration.ofNanos(n * 1000);
    }

    private static Duration millis(long n) {
        return Duration.ofMillis(n);
    }
}

package io.acrcache.webhook.status;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.SkipReason;
import io.acrcache.webhook.config.Mode;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The last {@code capacity} image decisions and the last hour's counts, in fixed memory: a ring of entries and sixty
 * per-minute buckets of counters. Fed from the event loops, so recording is lock-free and allocates only the ring
 * entry; a count racing a minute's roll-over may be lost (the page shows trends, {@code /metrics} the exact totals).
 */
public final class RecentDecisions implements Consumer<AdmissionResult> {
    /** Rules are counted by name up to this many; the rest share {@link #OTHER_RULES} (rule names are config). */
    static final int MAX_RULES = 64;

    static final String OTHER_RULES = "(other rules)";
    private static final int MINUTES = 60;
    private static final SkipReason[] REASONS = SkipReason.values();

    /** One image's fate. Exactly one of {@code rewritten} and {@code skipReason} is set. */
    public record Decision(
            long epochMillis,
            String mode,
            String namespace,
            String pod,
            String container,
            String original,
            String rewritten,
            String rule,
            String skipReason) {
        public boolean isRewrite() {
            return rewritten != null;
        }
    }

    private final Clock clock;
    private final AtomicReferenceArray<Decision> ring;
    private final AtomicLong written = new AtomicLong();
    private final Map<String, Integer> ruleIndex = new ConcurrentHashMap<>();
    private final String[] ruleNames = new String[MAX_RULES + 1];
    private final AtomicInteger rulesSeen = new AtomicInteger();
    private final AtomicLong[] bucketMinute = new AtomicLong[MINUTES];
    private final AtomicLongArray rewrites = new AtomicLongArray(MINUTES * (MAX_RULES + 1));
    private final AtomicLongArray skips = new AtomicLongArray(MINUTES * REASONS.length);

    public RecentDecisions(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.clock = clock;
        this.ring = new AtomicReferenceArray<>(capacity);
        for (int i = 0; i < MINUTES; i++) {
            bucketMinute[i] = new AtomicLong(-1);
        }
        ruleNames[MAX_RULES] = OTHER_RULES;
    }

    /** Records every image decision of an answered review (the admission observer's hook). */
    @Override
    public void accept(AdmissionResult r) {
        if (r.decisions().isEmpty()) {
            return;
        }
        long now = clock.millis();
        int bucket = bucket(now / 60_000);
        String mode = r.mode() == Mode.AUDIT ? "audit" : r.dryRun() ? "dry run" : "";
        for (ImageDecision d : r.decisions()) {
            String rule = d.isRewrite() ? d.match().rule().name() : null;
            String reason = d.isRewrite() ? null : d.skipReason().label();
            Decision e = new Decision(
                    now, mode, r.namespace(), r.podName(), d.container(), d.original(), d.rewritten(), rule, reason);
            ring.set((int) (written.getAndIncrement() % ring.length()), e);
            if (rule != null) {
                rewrites.incrementAndGet(bucket * (MAX_RULES + 1) + ruleSlot(rule));
            } else {
                skips.incrementAndGet(bucket * REASONS.length + d.skipReason().ordinal());
            }
        }
    }

    /** The bucket of this minute, cleared first if it still holds the minute an hour ago. */
    private int bucket(long minute) {
        int i = (int) (minute % MINUTES);
        long held = bucketMinute[i].get();
        if (held != minute && bucketMinute[i].compareAndSet(held, minute)) {
            for (int k = 0; k <= MAX_RULES; k++) {
                rewrites.set(i * (MAX_RULES + 1) + k, 0);
            }
            for (int k = 0; k < REASONS.length; k++) {
                skips.set(i * REASONS.length + k, 0);
            }
        }
        return i;
    }

    private int ruleSlot(String rule) {
        Integer slot = ruleIndex.get(rule);
        if (slot != null) {
            return slot;
        }
        if (rulesSeen.get() >= MAX_RULES) {
            return MAX_RULES;
        }
        synchronized (ruleIndex) { // once per rule name, not per admission
            slot = ruleIndex.get(rule);
            if (slot == null) {
                int next = rulesSeen.get();
                if (next >= MAX_RULES) {
                    return MAX_RULES;
                }
                ruleNames[next] = rule;
                ruleIndex.put(rule, next);
                rulesSeen.set(next + 1);
                slot = next;
            }
            return slot;
        }
    }

    /** The recorded decisions, newest first, at most {@code limit}. */
    public List<Decision> recent(int limit) {
        long end = written.get();
        long start = Math.max(0, end - Math.min(limit, ring.length()));
        List<Decision> out = new ArrayList<>();
        for (long i = end - 1; i >= start; i--) {
            Decision d = ring.get((int) (i % ring.length()));
            if (d != null) {
                out.add(d);
            }
        }
        return out;
    }

    /** Rewrites in the last hour by rule, most first. */
    public Map<String, Long> rewritesLastHour() {
        long[] sums = new long[MAX_RULES + 1];
        forEachLiveBucket(i -> {
            for (int k = 0; k <= MAX_RULES; k++) {
                sums[k] += rewrites.get(i * (MAX_RULES + 1) + k);
            }
        });
        Map<String, Long> out = new LinkedHashMap<>();
        for (int k = 0; k <= MAX_RULES; k++) {
            if (sums[k] > 0 && ruleNames[k] != null) {
                out.put(ruleNames[k], sums[k]);
            }
        }
        return sorted(out);
    }

    /** Images left alone in the last hour by reason label, most first. */
    public Map<String, Long> skipsLastHour() {
        long[] sums = new long[REASONS.length];
        forEachLiveBucket(i -> {
            for (int k = 0; k < REASONS.length; k++) {
                sums[k] += skips.get(i * REASONS.length + k);
            }
        });
        Map<String, Long> out = new LinkedHashMap<>();
        for (int k = 0; k < REASONS.length; k++) {
            if (sums[k] > 0) {
                out.put(REASONS[k].label(), sums[k]);
            }
        }
        return sorted(out);
    }

    private void forEachLiveBucket(java.util.function.IntConsumer body) {
        long minute = clock.millis() / 60_000;
        for (int i = 0; i < MINUTES; i++) {
            long held = bucketMinute[i].get();
            if (held > minute - MINUTES && held <= minute) {
                body.accept(i);
            }
        }
    }

    private static Map<String, Long> sorted(Map<String, Long> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    public int capacity() {
        return ring.length();
    }
}

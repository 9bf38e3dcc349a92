package io.acrcache.webhook.pullfailures;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The report's memory: rate-limited pulls aggregated per (namespace, image, category), bounded by entry count and age.
 * Thread-safe by one lock: the informer writes from its own threads, the endpoint reads from a worker; every operation
 * is in-memory and short.
 *
 * <p>The kubelet reports a repeated failure by raising the {@code count} of the same Event, and the informer redelivers
 * Events on relists, so counts are added as deltas over the last count seen per Event uid, never as totals.
 */
public final class PullFailureStore {
    /** Names kept per entry and list: enough to find the culprits, bounded for a 500-replica Deployment. */
    static final int MAX_NAMES = 20;
    /** Example messages longer than this keep their head (the image) and tail (the registry's words). */
    static final int MAX_MESSAGE = 480;
    /**
     * Event uids remembered per allowed entry. Events live an hour in the API server and are forgotten when the
     * informer reports them deleted; this only caps a burst.
     */
    static final int EVENTS_PER_ENTRY = 20;

    /** The bounds in force; read on every call, so a configuration reload applies at once. */
    public record Limits(int maxEntries, Duration retention) {
        public Limits {
            if (maxEntries < 1) {
                throw new IllegalArgumentException("maxEntries must be at least 1");
            }
            Objects.requireNonNull(retention, "retention");
        }
    }

    private record Key(String namespace, String image, FailureCategory category) {}

    private static final class Entry {
        final Key key;
        final Set<String> pods = new LinkedHashSet<>();
        final Set<String> containers = new LinkedHashSet<>();
        final Set<String> nodes = new LinkedHashSet<>();
        Explanation explanation;
        String message;
        long count;
        Instant firstSeen;
        Instant lastSeen;

        Entry(Key key, PullFailure f, Explanation e) {
            this.key = key;
            this.firstSeen = f.firstSeen();
            this.lastSeen = f.lastSeen();
            this.message = f.message();
            this.explanation = e;
        }

        void add(PullFailure f, Explanation e, long delta) {
            count += delta;
            addBounded(pods, f.pod());
            addBounded(containers, f.container());
            addBounded(nodes, f.node());
            if (f.firstSeen().isBefore(firstSeen)) {
                firstSeen = f.firstSeen();
            }
            if (!f.lastSeen().isBefore(lastSeen)) {
                // the newest occurrence supplies the example, and the freshest reading of the rules
                lastSeen = f.lastSeen();
                message = f.message();
                explanation = e;
            }
        }

        ReportEntry view() {
            return new ReportEntry(
                    key.namespace(),
                    key.image(),
                    key.category().label(),
                    explanation.registry(),
                    explanation.rule(),
                    explanation.suggestion(),
                    count,
                    firstSeen.toString(),
                    lastSeen.toString(),
                    List.copyOf(pods),
                    List.copyOf(containers),
                    List.copyOf(nodes),
                    truncate(message));
        }

        private static void addBounded(Set<String> names, String name) {
            if (name != null && names.size() < MAX_NAMES) {
                names.add(name);
            }
        }
    }

    /** Oldest last occurrence first; the key breaks ties so distinct entries never compare equal. */
    private static final Comparator<Entry> BY_LAST_SEEN = Comparator.<Entry, Instant>comparing(e -> e.lastSeen)
            .thenComparing(e -> e.key.namespace())
            .thenComparing(e -> e.key.image())
            .thenComparing(e -> e.key.category());

    private final Supplier<Limits> limits;
    private final Clock clock;
    private final Map<Key, Entry> entries = new HashMap<>();
    private final TreeSet<Entry> byLastSeen = new TreeSet<>(BY_LAST_SEEN);
    /** Last count seen per Event uid, oldest first, for deltas. */
    private final LinkedHashMap<String, Integer> lastCounts = new LinkedHashMap<>();

    private volatile int size;

    public PullFailureStore(Supplier<Limits> limits, Clock clock) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Adds one observation of an Event.
     *
     * @return how many new failures it adds (its count minus the count last seen for its uid; 0 for a redelivery),
     *     whether or not it is old enough to be dropped from the report
     */
    public synchronized long record(PullFailure failure, Explanation explanation) {
        Limits l = limits.get();
        Instant now = clock.instant();
        long delta = delta(failure, l);
        Instant horizon = now.minus(l.retention());
        prune(horizon);
        if (delta == 0 || failure.lastSeen().isBefore(horizon)) {
            return delta;
        }
        Key key = new Key(failure.namespace(), failure.image(), explanation.category());
        Entry entry = entries.get(key);
        if (entry == null) {
            entry = new Entry(key, failure, explanation);
            entries.put(key, entry);
        } else {
            byLastSeen.remove(entry); // its position changes with lastSeen
        }
        entry.add(failure, explanation, delta);
        byLastSeen.add(entry);
        while (entries.size() > l.maxEntries()) {
            Entry oldest = byLastSeen.pollFirst();
            entries.remove(oldest.key);
        }
        size = entries.size();
        return delta;
    }

    /** The Event is gone from the API server: its uid will not be seen again. */
    public synchronized void forget(String eventUid) {
        lastCounts.remove(eventUid);
    }

    /** Matching entries, newest first. */
    public synchronized List<ReportEntry> query(ReportQuery query) {
        Limits l = limits.get();
        prune(clock.instant().minus(l.retention()));
        List<ReportEntry> out = new ArrayList<>();
        Iterator<Entry> it = byLastSeen.descendingIterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (query.since() != null && e.lastSeen.isBefore(query.since())) {
                break; // everything after this is older still
            }
            if (query.accepts(e.key.namespace(), e.key.category(), e.lastSeen)) {
                out.add(e.view());
            }
        }
        return out;
    }

    /** Entries held; read without the lock (the metrics gauge). */
    public int size() {
        return size;
    }

    /** Event uids whose counts are remembered (for the memory bound's test). */
    synchronized int trackedEvents() {
        return lastCounts.size();
    }

    private long delta(PullFailure failure, Limits l) {
        Integer previous = lastCounts.remove(failure.eventUid());
        int count = failure.count();
        long delta = previous == null ? count : Math.max(0, count - previous);
        // re-inserted so the map stays ordered by last sighting; the stalest uid goes first
        lastCounts.put(failure.eventUid(), previous == null ? count : Math.max(previous, count));
        long cap = (long) l.maxEntries() * EVENTS_PER_ENTRY;
        Iterator<String> it = lastCounts.keySet().iterator();
        while (lastCounts.size() > cap && it.hasNext()) {
            it.next();
            it.remove();
        }
        return delta;
    }

    /** Drops entries last seen before {@code horizon}. */
    private void prune(Instant horizon) {
        while (!byLastSeen.isEmpty() && byLastSeen.first().lastSeen.isBefore(horizon)) {
            Entry old = byLastSeen.pollFirst();
            entries.remove(old.key);
        }
        size = entries.size();
    }

    static String truncate(String message) {
        if (message == null || message.length() <= MAX_MESSAGE) {
            return message;
        }
        int half = (MAX_MESSAGE - 5) / 2;
        return message.substring(0, half) + " ... " + message.substring(message.length() - half);
    }
}

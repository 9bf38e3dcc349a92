package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PullFailureStoreTest {
    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    private static final Explanation NOT_REWRITTEN =
            new Explanation(FailureCategory.NOT_REWRITTEN, "docker.io", "dockerhub", "recreate the Pod");
    private static final Explanation NOT_COVERED =
            new Explanation(FailureCategory.NOT_COVERED, "docker.io", null, "add a rule");

    private final MutableClock clock = new MutableClock(T0);
    private final AtomicReference<PullFailureStore.Limits> limits =
            new AtomicReference<>(new PullFailureStore.Limits(100, Duration.ofHours(1)));
    private final PullFailureStore store = new PullFailureStore(limits::get, clock);

    private static PullFailure failure(String uid, String ns, String pod, String image, int count, Instant at) {
        return new PullFailure(
                uid,
                ns,
                pod,
                "app",
                "node-1",
                image,
                "Failed to pull image \"" + image + "\": toomanyrequests",
                true,
                count,
                at,
                at);
    }

    @Test
    void addsCountDeltasPerEvent_neverTotals() {
        assertEquals(1, store.record(failure("e1", "shop", "web-1", "nginx:1.25", 1, T0), NOT_REWRITTEN));
        assertEquals(
                2, store.record(failure("e1", "shop", "web-1", "nginx:1.25", 3, T0.plusSeconds(10)), NOT_REWRITTEN));
        assertEquals(
                0,
                store.record(failure("e1", "shop", "web-1", "nginx:1.25", 3, T0.plusSeconds(10)), NOT_REWRITTEN),
                "a redelivery (resync, relist) adds nothing");
        assertEquals(
                0,
                store.record(failure("e1", "shop", "web-1", "nginx:1.25", 2, T0.plusSeconds(10)), NOT_REWRITTEN),
                "a count never goes back");
        assertEquals(
                2, store.record(failure("e1", "shop", "web-1", "nginx:1.25", 5, T0.plusSeconds(20)), NOT_REWRITTEN));
        assertEquals(
                4, store.record(failure("e2", "shop", "web-2", "nginx:1.25", 4, T0.plusSeconds(30)), NOT_REWRITTEN));

        List<ReportEntry> all = store.query(ReportQuery.ALL);
        assertEquals(1, all.size());
        assertEquals(9, all.get(0).count(), "5 from e1 + 4 from e2");
        assertEquals(List.of("web-1", "web-2"), all.get(0).pods());
    }

    @Test
    void aggregatesPerNamespaceImageAndCategory() {
        store.record(
                new PullFailure(
                        "a", "shop", "web-1", "app", "node-1", "nginx:1.25", "first", true, 1, T0.minusSeconds(60), T0),
                NOT_REWRITTEN);
        store.record(
                new PullFailure(
                        "b",
                        "shop",
                        "web-2",
                        "init",
                        "node-2",
                        "nginx:1.25",
                        "newest",
                        true,
                        2,
                        T0.minusSeconds(120),
                        T0.plusSeconds(5)),
                NOT_REWRITTEN);
        store.record(
                new PullFailure(
                        "c", "shop", "web-3", "app", "node-1", "nginx:1.25", "older", true, 1, T0, T0.plusSeconds(1)),
                NOT_REWRITTEN);
        store.record(failure("d", "shop", "web-1", "nginx:1.25", 1, T0), NOT_COVERED);
        store.record(failure("e", "blog", "web-1", "nginx:1.25", 1, T0), NOT_REWRITTEN);
        store.record(failure("f", "shop", "web-1", "redis:7", 1, T0), NOT_REWRITTEN);

        List<ReportEntry> shopNginx = store.query(new ReportQuery("shop", FailureCategory.NOT_REWRITTEN, null)).stream()
                .filter(e -> e.image().equals("nginx:1.25"))
                .toList();
        assertEquals(1, shopNginx.size());
        ReportEntry e = shopNginx.get(0);
        assertEquals(4, e.count());
        assertEquals(List.of("web-1", "web-2", "web-3"), e.pods());
        assertEquals(List.of("app", "init"), e.containers());
        assertEquals(List.of("node-1", "node-2"), e.nodes());
        assertEquals(T0.minusSeconds(120).toString(), e.firstSeen());
        assertEquals(T0.plusSeconds(5).toString(), e.lastSeen());
        assertEquals("newest", e.message(), "the example is the newest occurrence");
        assertEquals("not-rewritten", e.category());
        assertEquals("docker.io", e.registry());
        assertEquals("dockerhub", e.rule());
        assertEquals("recreate the Pod", e.suggestion());
        assertEquals(4, store.size());
    }

    @Test
    void queryIsNewestFirstAndFilters() {
        store.record(failure("1", "shop", "p", "a:1", 1, T0.minusSeconds(300)), NOT_REWRITTEN);
        store.record(failure("2", "blog", "p", "b:1", 1, T0.minusSeconds(10)), NOT_COVERED);
        store.record(failure("3", "shop", "p", "c:1", 1, T0.minusSeconds(100)), NOT_COVERED);

        assertEquals(List.of("b:1", "c:1", "a:1"), images(store.query(ReportQuery.ALL)));
        assertEquals(List.of("c:1", "a:1"), images(store.query(new ReportQuery("shop", null, null))));
        assertEquals(
                List.of("b:1", "c:1"), images(store.query(new ReportQuery(null, FailureCategory.NOT_COVERED, null))));
        assertEquals(
                List.of("b:1", "c:1"),
                images(store.query(new ReportQuery(null, null, T0.minusSeconds(100)))),
                "since is inclusive");
        assertEquals(
                List.of("c:1"),
                images(store.query(new ReportQuery("shop", FailureCategory.NOT_COVERED, T0.minusSeconds(200)))));
        assertEquals(List.of(), images(store.query(new ReportQuery("nowhere", null, null))));
    }

    @Test
    void maxEntries_evictsTheOldestLastSeen_notTheFirstInserted() {
        limits.set(new PullFailureStore.Limits(3, Duration.ofHours(1)));
        // inserted out of time order, as an informer's first list delivers them
        int[] ages = {50, 10, 40, 20, 60, 30, 5};
        for (int i = 0; i < ages.length; i++) {
            store.record(
                    failure("uid-" + i, "shop", "p", "img-" + ages[i] + ":1", 1, T0.minusSeconds(ages[i])),
                    NOT_COVERED);
            assertTrue(store.size() <= 3, "never more than maxEntries");
        }

        assertEquals(3, store.size());
        assertEquals(List.of("img-5:1", "img-10:1", "img-20:1"), images(store.query(ReportQuery.ALL)));
    }

    @Test
    void maxEntries_holdsUnderManyDistinctImages() {
        limits.set(new PullFailureStore.Limits(50, Duration.ofHours(1)));
        for (int i = 0; i < 10_000; i++) {
            store.record(
                    failure(
                            "uid-" + i,
                            "ns-" + (i % 7),
                            "pod-" + i,
                            "image-" + i + ":1",
                            1,
                            T0.minusMillis(10_000 - i)),
                    NOT_COVERED);
        }

        assertEquals(50, store.size());
        assertEquals(50, store.query(ReportQuery.ALL).size());
        assertEquals("image-9999:1", store.query(ReportQuery.ALL).get(0).image());
        assertTrue(
                store.trackedEvents() <= 50 * PullFailureStore.EVENTS_PER_ENTRY,
                "remembered Event uids are bounded too: " + store.trackedEvents());
    }

    @Test
    void aLowerLimitAfterAReloadAppliesAtTheNextWrite() {
        for (int i = 0; i < 10; i++) {
            store.record(failure("u" + i, "shop", "p", "i" + i + ":1", 1, T0.minusSeconds(i)), NOT_COVERED);
        }
        limits.set(new PullFailureStore.Limits(2, Duration.ofHours(1)));
        store.record(failure("new", "shop", "p", "new:1", 1, T0), NOT_COVERED);

        assertEquals(List.of("new:1", "i0:1"), images(store.query(ReportQuery.ALL)));
    }

    @Test
    void retention_dropsEntriesOutsideTheWindow() {
        store.record(failure("old", "shop", "p", "old:1", 1, T0.minus(Duration.ofMinutes(50))), NOT_COVERED);
        store.record(failure("new", "shop", "p", "new:1", 1, T0.minus(Duration.ofMinutes(5))), NOT_COVERED);
        assertEquals(
                1,
                store.record(
                        failure("ancient", "shop", "p", "ancient:1", 1, T0.minus(Duration.ofMinutes(61))), NOT_COVERED),
                "its delta still counts for the caller");
        assertEquals(
                List.of("new:1", "old:1"),
                images(store.query(ReportQuery.ALL)),
                "an Event already outside the window makes no entry");

        clock.advance(Duration.ofMinutes(20));

        assertEquals(List.of("new:1"), images(store.query(ReportQuery.ALL)));
        assertEquals(1, store.size());
        clock.advance(Duration.ofMinutes(60));
        assertEquals(List.of(), images(store.query(ReportQuery.ALL)));
        assertEquals(0, store.size());
    }

    @Test
    void forget_letsADeletedEventsUidGo() {
        store.record(failure("e1", "shop", "p", "nginx:1", 3, T0), NOT_COVERED);
        assertEquals(1, store.trackedEvents());

        store.forget("e1");

        assertEquals(0, store.trackedEvents());
        assertEquals(3, store.query(ReportQuery.ALL).get(0).count(), "the report keeps what it counted");
    }

    @Test
    void namesPerEntryAreBounded() {
        for (int i = 0; i < 100; i++) {
            store.record(
                    new PullFailure(
                            "u" + i, "shop", "pod-" + i, "c-" + i, "node-" + i, "nginx:1", "m", true, 1, T0, T0),
                    NOT_COVERED);
        }
        ReportEntry e = store.query(ReportQuery.ALL).get(0);
        assertEquals(100, e.count());
        assertEquals(PullFailureStore.MAX_NAMES, e.pods().size());
        assertEquals(PullFailureStore.MAX_NAMES, e.containers().size());
        assertEquals(PullFailureStore.MAX_NAMES, e.nodes().size());
    }

    @Test
    void longMessagesKeepHeadAndTail() {
        String head = "Failed to pull image \"redis:7\": ";
        String tail = "429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.";
        String message = head + "x".repeat(5_000) + tail;

        String cut = PullFailureStore.truncate(message);

        assertTrue(cut.length() <= PullFailureStore.MAX_MESSAGE, "length " + cut.length());
        assertTrue(cut.startsWith(head), cut);
        assertTrue(cut.endsWith(tail), cut);
        assertTrue(cut.contains(" ... "), cut);
        assertEquals("short", PullFailureStore.truncate("short"));
    }

    @Test
    void concurrentWritersAndReaders() throws Exception {
        // room for every uid: a uid pushed out of memory between its two sightings would count twice
        limits.set(new PullFailureStore.Limits(1_000, Duration.ofHours(1)));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int thread = t;
                tasks.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        // each Event seen twice, count 1 then 2: 2 per Event in the end
                        String uid = thread + "-" + i;
                        PullFailure f = failure(uid, "ns-" + (i % 5), "p-" + i, "img-" + (i % 20) + ":1", 1, T0);
                        store.record(f, NOT_COVERED);
                        store.record(failure(uid, f.namespace(), f.pod(), f.image(), 2, T0), NOT_COVERED);
                    }
                }));
            }
            tasks.add(pool.submit(() -> {
                for (int i = 0; i < 500; i++) {
                    store.query(ReportQuery.ALL);
                }
            }));
            for (Future<?> f : tasks) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long total = store.query(ReportQuery.ALL).stream()
                .mapToLong(ReportEntry::count)
                .sum();
        assertEquals(3 * 2_000 * 2, total);
        assertEquals(20, store.size(), "image i%20 fixes namespace i%5: 20 entries");
    }

    private static List<String> images(List<ReportEntry> entries) {
        return entries.stream().map(ReportEntry::image).toList();
    }
}

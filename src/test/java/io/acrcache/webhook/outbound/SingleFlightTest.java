package io.acrcache.webhook.outbound;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SingleFlightTest {
    private final AtomicInteger calls = new AtomicInteger();

    private Future<String> call(Promise<String> p) {
        calls.incrementAndGet();
        return p.future();
    }

    @Test
    void identicalCallsInFlightShareOne() {
        SingleFlight<String, String> flight = new SingleFlight<>(10);
        Promise<String> p = Promise.promise();
        Future<String> a = flight.run("k", () -> call(p));
        Future<String> b = flight.run("k", () -> call(Promise.promise()));
        assertSame(a, b);
        assertEquals(1, calls.get());
        assertEquals(1, flight.size());
        p.complete("v");
        assertEquals("v", b.result());
        assertEquals(0, flight.size());
        // nothing is remembered: the next call runs again
        Promise<String> again = Promise.promise();
        assertNotSame(a, flight.run("k", () -> call(again)));
        assertEquals(2, calls.get());
    }

    @Test
    void differentKeysRunApart() {
        SingleFlight<String, String> flight = new SingleFlight<>(10);
        flight.run("a", () -> call(Promise.promise()));
        flight.run("b", () -> call(Promise.promise()));
        assertEquals(2, calls.get());
        assertEquals(2, flight.size());
    }

    @Test
    void aFailureReachesEveryJoinerAndReleasesTheKey() {
        SingleFlight<String, String> flight = new SingleFlight<>(10);
        Promise<String> p = Promise.promise();
        Future<String> a = flight.run("k", () -> call(p));
        Future<String> b = flight.run("k", () -> call(Promise.promise()));
        p.fail(new IllegalStateException("down"));
        assertTrue(a.failed() && b.failed());
        assertEquals("down", b.cause().getMessage());
        assertEquals(0, flight.size());
        assertEquals(
                "fresh", flight.run("k", () -> Future.succeededFuture("fresh")).result());
    }

    @Test
    void aCallThatThrowsFailsAndReleases() {
        SingleFlight<String, String> flight = new SingleFlight<>(1);
        Future<String> f = flight.run("k", () -> {
            throw new IllegalArgumentException("bad");
        });
        assertTrue(f.failed());
        assertEquals(0, flight.size());
    }

    @Test
    void boundedByDistinctCallsNotByJoiners() {
        SingleFlight<String, String> flight = new SingleFlight<>(2);
        Promise<String> a = Promise.promise();
        flight.run("a", () -> call(a));
        flight.run("b", () -> call(Promise.promise()));
        assertNull(flight.run("c", () -> call(Promise.promise())), "third distinct call is refused");
        assertTrue(flight.run("a", () -> call(Promise.promise())) != null, "joining is always allowed");
        assertEquals(2, calls.get());
        a.complete("done");
        assertTrue(flight.run("c", () -> call(Promise.promise())) != null, "room again");
    }
}

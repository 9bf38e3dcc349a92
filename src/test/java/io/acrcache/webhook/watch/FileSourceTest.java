package io.acrcache.webhook.watch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parse, apply, swap, count: one number a file, refused when it is not a number or the applier says no. */
class FileSourceTest {
    private static final String METRIC = "test.reloads";
    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> applied = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        vertx.close().await();
    }

    private FileSource<Integer> source(Path file, int initial) {
        return FileSource.start(
                vertx,
                "number",
                List.of(file),
                Duration.ofMillis(20),
                initial,
                contents -> Integer.parseInt(new String(contents.get(0), StandardCharsets.UTF_8).trim()),
                (previous, next) -> {
                    applied.add(previous + "->" + next);
                    return next < 0 ? Future.failedFuture("negative") : Future.succeededFuture();
                },
                registry,
                METRIC,
                "Test reloads");
    }

    private double count(String result) {
        return registry.get(METRIC).tag("result", result).counter().count();
    }

    @Test
    void bothResultsAreShownFromTheStart() throws Exception {
        Path file = Files.writeString(dir.resolve("n"), "1");
        try (FileSource<Integer> source = source(file, 1)) {
            assertEquals(0, count("success"));
            assertEquals(0, count("failure"));
            assertEquals(1, source.current());
        }
    }

    @Test
    void aValidChangeIsAppliedSwappedAndCounted() throws Exception {
        Path file = Files.writeString(dir.resolve("n"), "1");
        try (FileSource<Integer> source = source(file, 1)) {
            Instant before = source.lastSuccess();
            Files.writeString(file, "2");
            eventually("the reload", () -> count("success") == 1);
            assertEquals(2, source.current());
            assertEquals(List.of("1->2"), applied);
            assertFalse(source.lastSuccess().isBefore(before));
        }
    }

    @Test
    void aChangeThatDoesNotParseIsRefusedAndTheNextOneTriedAgain() throws Exception {
        Path file = Files.writeString(dir.resolve("n"), "1");
        try (FileSource<Integer> source = source(file, 1)) {
            Files.writeString(file, "two");
            eventually("the refusal", () -> count("failure") == 1);
            assertEquals(1, source.current());
            assertTrue(applied.isEmpty(), "never applied");
            Files.writeString(file, "3");
            eventually("the next change", () -> count("success") == 1);
            assertEquals(3, source.current());
        }
    }

    @Test
    void aChangeTheApplierRefusesKeepsTheCurrentValue() throws Exception {
        Path file = Files.writeString(dir.resolve("n"), "1");
        try (FileSource<Integer> source = source(file, 1)) {
            Files.writeString(file, "-1");
            eventually("the refusal", () -> count("failure") == 1);
            assertEquals(1, source.current());
            assertEquals(0, count("success"));
        }
    }

    @Test
    void noFilesMeansNothingToWatchButTheMetersExist() {
        try (FileSource<Integer> source = FileSource.start(
                vertx,
                "number",
                List.of(),
                Duration.ofMillis(20),
                7,
                contents -> {
                    throw new AssertionError("never parsed");
                },
                (previous, next) -> Future.succeededFuture(),
                registry,
                METRIC,
                "Test reloads")) {
            assertEquals(7, source.current());
            assertEquals(0, count("success"));
        }
    }
}

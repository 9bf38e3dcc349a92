package io.acrcache.webhook.watch;

import io.acrcache.webhook.testing.AtomicFiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
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
@ExtendWith(VertxExtension.class)
class FileSourceTest {
    private static final String METRIC = "test.reloads";
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> applied = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    private FileSource<Integer> source(Vertx vertx, Path file, int initial) {
        return new FileSource<>(
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

    /** Writes {@code content}; it is counted as one failure and the value in force stays 1. */
    private void refused(FileSource<Integer> source, Path file, String content) throws Exception {
        AtomicFiles.write(file, content);
        eventually("the refusal of " + content, () -> count("failure") == 1);
        assertEquals(1, source.current());
    }

    private double count(String result) {
        return registry.get(METRIC).tag("result", result).counter().count();
    }

    @Test
    void bothResultsAreShownFromTheStart(Vertx vertx) throws Exception {
        Path file = AtomicFiles.write(dir.resolve("n"), "1");
        try (FileSource<Integer> source = source(vertx, file, 1)) {
            assertEquals(0, count("success"));
            assertEquals(0, count("failure"));
            assertEquals(1, source.current());
        }
    }

    @Test
    void aValidChangeIsAppliedSwappedAndCounted(Vertx vertx) throws Exception {
        Path file = AtomicFiles.write(dir.resolve("n"), "1");
        try (FileSource<Integer> source = source(vertx, file, 1)) {
            Instant before = source.lastSuccess();
            AtomicFiles.write(file, "2");
            eventually("the reload", () -> count("success") == 1);
            assertEquals(2, source.current());
            assertEquals(List.of("1->2"), applied);
            assertFalse(source.lastSuccess().isBefore(before));
        }
    }

    @Test
    void aChangeThatDoesNotParseIsRefusedAndTheNextOneTriedAgain(Vertx vertx) throws Exception {
        Path file = AtomicFiles.write(dir.resolve("n"), "1");
        try (FileSource<Integer> source = source(vertx, file, 1)) {
            refused(source, file, "two");
            assertTrue(applied.isEmpty(), "never applied");
            AtomicFiles.write(file, "3");
            eventually("the next change", () -> count("success") == 1);
            assertEquals(3, source.current());
        }
    }

    @Test
    void aChangeTheApplierRefusesKeepsTheCurrentValue(Vertx vertx) throws Exception {
        Path file = AtomicFiles.write(dir.resolve("n"), "1");
        try (FileSource<Integer> source = source(vertx, file, 1)) {
            refused(source, file, "-1");
            assertEquals(0, count("success"));
        }
    }

    @Test
    void noFilesMeansNothingToWatchButTheMetersExist(Vertx vertx) {
        try (FileSource<Integer> source = new FileSource<>(
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

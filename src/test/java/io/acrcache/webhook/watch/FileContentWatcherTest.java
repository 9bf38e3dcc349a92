package io.acrcache.webhook.watch;

import io.acrcache.webhook.testing.AtomicFiles;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
class FileContentWatcherTest {
    private static final Duration FAST = Duration.ofMillis(20);
    private final List<List<String>> seen = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    private FileContentWatcher watch(Vertx vertx, Path... files) {
        return FileContentWatcher.start(
                vertx,
                List.of(files),
                FAST,
                contents -> seen.add(contents.stream()
                        .map(b -> new String(b, StandardCharsets.UTF_8))
                        .toList()));
    }

    /** Enough polls for a change to be seen had there been one: a marker file's change is seen after them. */
    private void afterSomePolls(Vertx vertx) throws Exception {
        Path marker = AtomicFiles.write(dir.resolve("marker"), "0");
        List<String> markerSeen = new CopyOnWriteArrayList<>();
        try (FileContentWatcher w = FileContentWatcher.start(
                vertx, List.of(marker), FAST, c -> markerSeen.add(new String(c.get(0), StandardCharsets.UTF_8)))) {
            for (int i = 1; i <= 3; i++) {
                String value = Integer.toString(i);
                AtomicFiles.write(marker, value);
                eventually("marker " + value, () -> markerSeen.contains(value));
            }
        }
    }

    @Test
    void reportsEachChangeOnceAndNotTheContentAtStart(Vertx vertx) throws Exception {
        Path a = AtomicFiles.write(dir.resolve("a"), "one");
        Path b = AtomicFiles.write(dir.resolve("b"), "x");
        try (FileContentWatcher w = watch(vertx, a, b)) {
            afterSomePolls(vertx);
            assertEquals(List.of(), seen, "nothing changed yet");
            AtomicFiles.write(b, "y");
            eventually("the change", () -> !seen.isEmpty());
            afterSomePolls(vertx);
            assertEquals(List.of(List.of("one", "y")), seen, "both contents, in order, once");
        }
    }

    @Test
    void aSymlinkSwapAsKubernetesDoesItIsSeen(Vertx vertx) throws Exception {
        // a mounted ConfigMap: file -> ..data/file, ..data -> ..v1; an update repoints ..data atomically
        Path v1 = Files.createDirectory(dir.resolve("..v1"));
        AtomicFiles.write(v1.resolve("config.yaml"), "first");
        Path data = Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path file = Files.createSymbolicLink(dir.resolve("config.yaml"), Path.of("..data/config.yaml"));
        try (FileContentWatcher w = watch(vertx, file)) {
            Path v2 = Files.createDirectory(dir.resolve("..v2"));
            AtomicFiles.write(v2.resolve("config.yaml"), "second");
            Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmp, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            eventually("the swap", () -> seen.equals(List.of(List.of("second"))));
        }
    }

    @Test
    void aFileMissingMidUpdateIsWaitedFor(Vertx vertx) throws Exception {
        Path a = AtomicFiles.write(dir.resolve("a"), "one");
        try (FileContentWatcher w = watch(vertx, a)) {
            Files.delete(a);
            afterSomePolls(vertx);
            assertEquals(List.of(), seen, "a missing file is no change");
            AtomicFiles.write(a, "two");
            eventually("the file back", () -> seen.equals(List.of(List.of("two"))));
        }
    }

    @Test
    void closedStopsWatching(Vertx vertx) throws Exception {
        Path a = AtomicFiles.write(dir.resolve("a"), "one");
        watch(vertx, a).close();
        AtomicFiles.write(a, "two");
        afterSomePolls(vertx);
        assertEquals(List.of(), seen);
    }
}

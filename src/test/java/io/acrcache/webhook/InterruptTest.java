package io.acrcache.webhook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real command line in its own JVM: Ctrl-C drains, a second Ctrl-C exits at once. */
class InterruptTest {
    @TempDir
    Path dir;

    @Test
    void aSecondCtrlCExitsAtOnce() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .directory(dir.toFile())
                .redirectErrorStream(true);
        pb.environment().put("ACW_SERVER_HOST", "127.0.0.1");
        pb.environment().put("ACW_SERVER_PORT", "0");
        pb.environment().put("ACW_OPS_HOST", "127.0.0.1");
        pb.environment().put("ACW_OPS_PORT", "0");
        pb.environment().put("ACW_SHUTDOWN_DRAIN_SECONDS", "60"); // a first Ctrl-C would wait this long
        Process p = pb.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (Exception e) {
                // the process ended
            }
        });
        reader.start();
        try {
            eventually("started", () -> lines.stream().anyMatch(l -> l.contains("serving https://127.0.0.1:")));
            assertTrue(
                    lines.stream().anyMatch(l -> l.contains("from the environment: ACW_SERVER_HOST (server.host)")),
                    String.join("\n", lines));
            signal(p, "INT");
            eventually("draining", () -> lines.stream().anyMatch(l -> l.contains("stopping: draining for 60s")));
            long start = System.nanoTime();
            signal(p, "INT");
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "still running after the second Ctrl-C:\n" + lines);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
            assertEquals(130, p.exitValue(), String.join("\n", lines));
            reader.join(5000);
            assertTrue(
                    lines.stream().anyMatch(l -> l.contains("interrupted again: exiting now")),
                    String.join("\n", lines));
        } finally {
            p.destroyForcibly();
        }
    }

    private static void signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " " + p.pid())
                .inheritIO()
                .start();
        assertEquals(0, kill.waitFor(), "sh -c kill -" + signal);
    }
}

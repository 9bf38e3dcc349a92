package io.acrcache.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server in its own JVM, started with given JVM flags, so its memory is its own and both servers under test
 * are started the same way. Knows its pid (for {@code /proc/PID/status}) and how long it took from launch
 * until {@code GET /readyz} on its plain-HTTP ops port answered 200.
 */
public final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final long readyNanos;

    private ChildJvm(String name, Process process, Path log, long readyNanos) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.readyNanos = readyNanos;
    }

    /**
     * Starts {@code java FLAGS ARGS} (stdout and stderr appended to {@code log}) and waits until
     * {@code http://127.0.0.1:opsPort/readyz} answers 200; the clock starts just before the process is created.
     */
    public static ChildJvm launch(String name, List<String> jvmFlags, List<String> args, Path log, int opsPort,
                                  Duration timeout) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(args);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.deleteIfExists(log);
        Files.createFile(log);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        long start = System.nanoTime();
        Process process = pb.start();
        long deadline = start + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with status " + process.exitValue() + " before it was ready; "
                        + "command: " + String.join(" ", command) + "\n" + tail(log, 40));
            }
            if (readyz(opsPort)) {
                return new ChildJvm(name, process, log, System.nanoTime() - start);
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " not ready after " + timeout + "\n" + tail(log, 40));
            }
            Thread.sleep(2);
        }
    }

    /** One plain HTTP/1.1 {@code GET /readyz}; true on status 200, false on refusal or any other answer. */
    static boolean readyz(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = new byte[12];
            int n = 0;
            while (n < head.length) {
                int r = in.read(head, n, head.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            return n == 12 && new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** Launch to first {@code /readyz} 200, in milliseconds. */
    public double readyMillis() {
        return readyNanos / 1e6;
    }

    public Memory memory() {
        return Memory.of(process.pid());
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** Empties the log (the child appends, so it keeps writing at the new end). */
    public void truncateLog() {
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM, then up to 30 s for the JVM to run its shutdown hooks; SIGKILL after that. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** VmRSS and VmHWM (peak RSS) of a process from {@code /proc/PID/status}, in KiB; -1 when unreadable. */
    public record Memory(long rssKiB, long hwmKiB) {
        static Memory of(long pid) {
            long rss = -1;
            long hwm = -1;
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = kib(line);
                    } else if (line.startsWith("VmHWM:")) {
                        hwm = kib(line);
                    }
                }
            } catch (IOException e) {
                // process gone, or not Linux
            }
            return new Memory(rss, hwm);
        }

        private static long kib(String line) {
            String[] parts = line.trim().split("\\s+");
            return Long.parseLong(parts[1]);
        }

        public Memory max(Memory other) {
            return new Memory(Math.max(rssKiB, other.rssKiB), Math.max(hwmKiB, other.hwmKiB));
        }

        public double rssMiB() {
            return rssKiB / 1024.0;
        }

        public double hwmMiB() {
            return hwmKiB / 1024.0;
        }
    }
}

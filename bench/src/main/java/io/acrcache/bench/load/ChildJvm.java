package io.acrcache.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server in its own JVM, started with given JVM flags, so its memory is its own and both servers under test are
 * started the same way. Knows its pid (for {@code /proc/PID/status}) and how long it took from launch until {@code GET
 * /readyz} on its plain-HTTP ops port answered 200.
 */
public final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final LogDrain log;
    private final long readyNanos;
    private final Instant launched;
    private final Path logFile;

    private ChildJvm(String name, Process process, LogDrain log, long readyNanos, Instant launched, Path logFile) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.readyNanos = readyNanos;
        this.launched = launched;
        this.logFile = logFile;
    }

    /**
     * Starts {@code java FLAGS ARGS} and waits until {@code http://127.0.0.1:opsPort/readyz} answers 200; the clock
     * starts just before the process is created. Its stdout and stderr go to a pipe that a thread of this JVM reads, as
     * the container runtime reads a container's output: the first 64 KiB (start-up) are saved to {@code log}, the rest
     * is kept only as a tail for error messages. (Writing the webhook's per-rewrite log lines to a file instead makes
     * the results depend on this machine's disk write-back.)
     */
    public static ChildJvm launch(
            String name, List<String> jvmFlags, List<String> args, Path log, int opsPort, Duration timeout)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(args);
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Instant launched = Instant.now();
        long start = System.nanoTime();
        Process process = pb.start();
        LogDrain drain = new LogDrain(name, process.getInputStream(), log);
        long deadline = start + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                drain.joinQuietly();
                throw new IllegalStateException(name + " exited with status " + process.exitValue()
                        + " before it was ready; " + "command: " + String.join(" ", command) + "\n" + drain.tail());
            }
            if (readyz(opsPort)) {
                return new ChildJvm(name, process, drain, System.nanoTime() - start, launched, log);
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " not ready after " + timeout + "\n" + drain.tail());
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

    /** A plain HTTP/1.1 GET on loopback; the body, or null on any failure or a status other than 200. */
    public static String get(int port, String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!response.startsWith("HTTP/1.1 200")) {
                return null;
            }
            int body = response.indexOf("\r\n\r\n");
            return body < 0 ? null : response.substring(body + 4);
        } catch (IOException e) {
            return null;
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

    /**
     * Milliseconds from launch to the time stamp of the first log line containing {@code text} (the webhook starts each
     * line with an ISO-8601 instant), -1 if there is none.
     */
    public double logLineMillis(String text) {
        try {
            for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
                if (line.contains(text)) {
                    int space = line.indexOf(' ');
                    Instant at = Instant.parse(line.substring(0, space));
                    return Duration.between(launched, at).toNanos() / 1e6;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no log yet, or a line without a time stamp
        }
        return -1;
    }

    /** The last lines the child wrote. */
    public String tail() {
        return log.tail();
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

    /** Reads a child's output as fast as it comes; keeps the head in a file and the tail in memory. */
    private static final class LogDrain extends Thread {
        private static final int HEAD = 64 * 1024;
        private static final int TAIL = 16 * 1024;
        private final InputStream in;
        private final Path file;
        private final byte[] tail = new byte[TAIL];
        private long total;

        LogDrain(String name, InputStream in, Path file) {
            super("log-drain-" + name);
            this.in = in;
            this.file = file;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            byte[] buf = new byte[64 * 1024];
            try (OutputStream head = Files.newOutputStream(file)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (total < HEAD) {
                        head.write(buf, 0, (int) Math.min(n, HEAD - total));
                        head.flush();
                    }
                    synchronized (tail) {
                        for (int i = Math.max(0, n - TAIL); i < n; i++) {
                            tail[(int) ((total + i) % TAIL)] = buf[i];
                        }
                        total += n;
                    }
                }
            } catch (IOException e) {
                // the process went away
            }
        }

        String tail() {
            synchronized (tail) {
                int len = (int) Math.min(total, TAIL);
                byte[] out = new byte[len];
                for (int i = 0; i < len; i++) {
                    out[i] = tail[(int) ((total - len + i) % TAIL)];
                }
                return new String(out, StandardCharsets.UTF_8);
            }
        }

        @Override
        public String toString() {
            return file.toString();
        }

        void joinQuietly() {
            try {
                join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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

package io.acrcache.bench;

import io.acrcache.bench.load.Table;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a JFR recording of the webhook under load spends CPU ({@code jdk.ExecutionSample}) and allocates
 * ({@code jdk.ObjectAllocationSample}, weighted by the bytes each sample stands for), summarized by top frame, by the
 * webhook's own methods on the stack, and by library.
 */
public final class JfrSummary {
    /** Library groups, first match wins. */
    private static final Map<String, String> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put("io.acrcache.webhook.admission.metrics.", "webhook: metrics");
        GROUPS.put("io.acrcache.webhook.admission.", "webhook: admission (parse/decide/patch)");
        GROUPS.put("io.acrcache.webhook.image.", "webhook: image parsing");
        GROUPS.put("io.acrcache.webhook.rules.", "webhook: rule matching");
        GROUPS.put("io.acrcache.webhook.server.", "webhook: server glue");
        GROUPS.put("io.acrcache.webhook.logging.", "webhook: log formatting");
        GROUPS.put("java.util.logging.", "java.util.logging");
        GROUPS.put("tools.jackson.", "Jackson 3");
        GROUPS.put("io.micrometer.", "Micrometer");
        GROUPS.put("io.vertx.micrometer.", "Vert.x Micrometer metrics");
        GROUPS.put("io.vertx.ext.web.", "Vert.x Web (router, BodyHandler)");
        GROUPS.put("io.vertx.core.http.", "Vert.x core HTTP");
        GROUPS.put("io.vertx.core.", "Vert.x core");
        GROUPS.put("sun.security.ssl.", "TLS (JDK SSLEngine)");
        GROUPS.put("com.sun.crypto.", "crypto (AES-GCM etc.)");
        GROUPS.put("javax.crypto.", "crypto (AES-GCM etc.)");
        GROUPS.put("sun.security.", "crypto (AES-GCM etc.)");
        GROUPS.put("io.netty.handler.ssl.", "Netty SslHandler");
        GROUPS.put("io.netty.handler.codec.http2.", "Netty HTTP/2 codec");
        GROUPS.put("io.netty.handler.codec.http.", "Netty HTTP/1 codec");
        GROUPS.put("io.netty.", "Netty other");
        GROUPS.put("sun.nio.cs.", "charset encoding");
        GROUPS.put("sun.nio.", "NIO / syscalls");
        GROUPS.put("java.io.", "java.io (streams)");
    }

    private JfrSummary() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: jfr-summary FILE.jfr [TOP]");
            System.exit(2);
        }
        System.out.print(summarize(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 25, null, null));
    }

    /** Events between {@code from} and {@code to} (either may be null: no bound). */
    public static String summarize(Path file, int top, Instant from, Instant to) throws IOException {
        Counts cpuSelf = new Counts();
        Counts cpuSelfCaller = new Counts();
        Counts allocSite = new Counts();
        Counts nativeSite = new Counts();
        long nativeSamples = 0;
        Counts cpuWebhook = new Counts();
        Counts cpuGroupIncl = new Counts();
        Counts cpuGroupSelf = new Counts();
        Counts allocClass = new Counts();
        Counts allocSelf = new Counts();
        Counts allocWebhook = new Counts();
        Counts allocGroupIncl = new Counts();
        Counts allocGroupSelf = new Counts();
        long cpuSamples = 0;
        double allocBytes = 0;
        long gcs = 0;
        Duration gcPause = Duration.ZERO;
        Duration longestPause = Duration.ZERO;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (from != null && e.getStartTime().isBefore(from)
                    || to != null && e.getStartTime().isAfter(to)) {
                continue;
            }
            String type = e.getEventType().getName();
            switch (type) {
                case "jdk.ExecutionSample" -> {
                    List<String> frames = frames(e.getStackTrace());
                    if (frames.isEmpty()) {
                        continue;
                    }
                    cpuSamples++;
                    cpuSelf.add(frames.get(0), 1);
                    cpuSelfCaller.add(frames.get(0) + " <- " + caller(frames), 1);
                    cpuGroupSelf.add(group(frames.get(0)), 1);
                    for (String m : new HashSet<>(webhookFrames(frames))) {
                        cpuWebhook.add(m, 1);
                    }
                    for (String g : groups(frames)) {
                        cpuGroupIncl.add(g, 1);
                    }
                }
                case "jdk.NativeMethodSample" -> {
                    List<String> frames = frames(e.getStackTrace());
                    if (frames.isEmpty() || idle(frames.get(0))) {
                        continue; // an event loop waiting for I/O
                    }
                    nativeSamples++;
                    nativeSite.add(frames.get(0) + " <- " + caller(frames), 1);
                }
                case "jdk.ObjectAllocationSample" -> {
                    List<String> frames = frames(e.getStackTrace());
                    double w = e.getLong("weight");
                    allocBytes += w;
                    allocClass.add(e.getClass("objectClass").getName(), w);
                    if (frames.isEmpty()) {
                        continue;
                    }
                    allocSelf.add(frames.get(0), w);
                    allocSite.add(
                            shortClass(e.getClass("objectClass").getName()) + " in " + frames.get(0) + " <- "
                                    + caller(frames),
                            w);
                    allocGroupSelf.add(group(frames.get(0)), w);
                    for (String m : new HashSet<>(webhookFrames(frames))) {
                        allocWebhook.add(m, w);
                    }
                    for (String g : groups(frames)) {
                        allocGroupIncl.add(g, w);
                    }
                }
                case "jdk.GarbageCollection" -> {
                    gcs++;
                    Duration p = e.getDuration("sumOfPauses");
                    gcPause = gcPause.plus(p);
                    if (p.compareTo(longestPause) > 0) {
                        longestPause = p;
                    }
                }
                default -> {}
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("### JFR summary of ").append(file.getFileName()).append("\n\n");
        sb.append("- CPU samples (jdk.ExecutionSample, Java code only): ")
                .append(cpuSamples)
                .append('\n');
        sb.append("- allocation sampled (jdk.ObjectAllocationSample weight): ")
                .append(Table.f(allocBytes / (1 << 20), 0))
                .append(" MiB\n");
        sb.append("- GCs: ")
                .append(gcs)
                .append(", total pause ")
                .append(gcPause.toMillis())
                .append(" ms, longest ")
                .append(Table.f(longestPause.toNanos() / 1e6, 1))
                .append(" ms\n\n");
        sb.append("#### CPU by library, inclusive (share of samples with any frame of it on the stack)\n\n")
                .append(cpuGroupIncl.table("library", "% of CPU samples", cpuSamples, top))
                .append('\n');
        sb.append("#### CPU by library, self (top frame)\n\n")
                .append(cpuGroupSelf.table("library", "% of CPU samples", cpuSamples, top))
                .append('\n');
        sb.append("#### CPU: hottest top frames\n\n")
                .append(cpuSelf.table("method", "% self", cpuSamples, top))
                .append('\n');
        sb.append("#### CPU: hottest top frames, with the first caller outside the JDK\n\n")
                .append(cpuSelfCaller.table("method <- caller", "% self", cpuSamples, top))
                .append('\n');
        sb.append(
                        "#### In native code (jdk.NativeMethodSample, threads waiting for I/O left out), "
                                + nativeSamples + " samples\n\n"
                                + "Execution samples see only Java code: a thread inside a system call (a write to stdout, a socket "
                                + "write) shows up here instead. Sampled every 20 ms per thread (the CPU samples: every 10 ms).\n\n")
                .append(nativeSite.table("native method <- caller", "% of native samples", nativeSamples, top))
                .append('\n');
        sb.append("#### CPU: webhook methods on the stack (inclusive)\n\n")
                .append(cpuWebhook.table("method", "% inclusive", cpuSamples, top))
                .append('\n');
        sb.append("#### Allocation by class\n\n")
                .append(allocClass.table("class", "% of bytes", allocBytes, top))
                .append('\n');
        sb.append("#### Allocation by library, inclusive\n\n")
                .append(allocGroupIncl.table("library", "% of bytes", allocBytes, top))
                .append('\n');
        sb.append("#### Allocation by library, self (allocating frame)\n\n")
                .append(allocGroupSelf.table("library", "% of bytes", allocBytes, top))
                .append('\n');
        sb.append("#### Allocation sites (allocating frame)\n\n")
                .append(allocSelf.table("method", "% of bytes", allocBytes, top))
                .append('\n');
        sb.append("#### Allocation sites: class in allocating frame <- first caller outside the JDK\n\n")
                .append(allocSite.table("allocation", "% of bytes", allocBytes, top))
                .append('\n');
        sb.append("#### Allocation: webhook methods on the stack (inclusive)\n\n")
                .append(allocWebhook.table("method", "% of bytes", allocBytes, top));
        return sb.toString();
    }

    private static List<String> frames(RecordedStackTrace stack) {
        List<String> out = new ArrayList<>();
        if (stack == null) {
            return out;
        }
        for (RecordedFrame f : stack.getFrames()) {
            RecordedMethod m = f.getMethod();
            if (m == null || m.getType() == null) {
                continue;
            }
            out.add(m.getType().getName() + "." + m.getName());
        }
        return out;
    }

    /** A thread blocked waiting for work or I/O readiness, not doing any. */
    private static boolean idle(String top) {
        return top.contains("epollWait")
                || top.contains("EPoll.wait")
                || top.contains("Object.wait")
                || top.contains("Unsafe.park")
                || top.contains("Thread.sleep")
                || top.contains("Net.accept")
                || top.contains("Net.poll");
    }

    /** The first frame below the top one that is not JDK code (java.*, jdk.*, sun.*), else the direct caller. */
    private static String caller(List<String> frames) {
        for (int i = 1; i < frames.size(); i++) {
            String f = frames.get(i);
            if (!f.startsWith("java.") && !f.startsWith("jdk.") && !f.startsWith("sun.")) {
                return f;
            }
        }
        return frames.size() > 1 ? frames.get(1) : "-";
    }

    private static String shortClass(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(dot + 1);
    }

    private static List<String> webhookFrames(List<String> frames) {
        List<String> out = new ArrayList<>();
        for (String f : frames) {
            if (f.startsWith("io.acrcache.")) {
                out.add(f);
            }
        }
        return out;
    }

    private static Set<String> groups(List<String> frames) {
        Set<String> out = new HashSet<>();
        for (String f : frames) {
            String g = group(f);
            if (g != null) {
                out.add(g);
            }
        }
        return out;
    }

    private static String group(String frame) {
        for (Map.Entry<String, String> e : GROUPS.entrySet()) {
            if (frame.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        int dot = frame.lastIndexOf('.');
        String cls = dot < 0 ? frame : frame.substring(0, dot);
        int pkg = cls.lastIndexOf('.');
        return "other: " + (pkg < 0 ? cls : cls.substring(0, pkg));
    }

    private static final class Counts {
        private final Map<String, Double> map = new HashMap<>();

        void add(String key, double w) {
            if (key != null) {
                map.merge(key, w, Double::sum);
            }
        }

        Table table(String what, String unit, double total, int top) {
            Table t = new Table(what, unit);
            map.entrySet().stream()
                    .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                    .limit(top)
                    .forEach(e -> t.row(e.getKey(), Table.f(100.0 * e.getValue() / Math.max(1, total), 1)));
            return t;
        }
    }
}

package io.acrcache.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time over a window, from {@code /proc}: the machine's busy time ({@code /proc/stat}), the server's and this JVM's
 * (load generator) {@code utime + stime}. Whatever else was busy is "others": other builds on a shared machine, or the
 * idle server. Reported in cores (CPU seconds per second), so the reader can judge the noise.
 */
public final class CpuMeter {
    private static final double TICK = 100.0; // USER_HZ on Linux

    /** CPU seconds at one moment. */
    public record Snapshot(long nanos, double machineBusy, double server, double loadGenerator) {}

    /** Cores used over a window. */
    public record Usage(double server, double loadGenerator, double others) {
        public static final Usage UNKNOWN = new Usage(-1, -1, -1);
    }

    private CpuMeter() {}

    public static Snapshot snapshot(long serverPid) {
        return new Snapshot(System.nanoTime(), machineBusy(), process(Long.toString(serverPid)), process("self"));
    }

    public static Usage between(Snapshot a, Snapshot b) {
        if (a == null || b == null || a.machineBusy() < 0 || b.machineBusy() < 0) {
            return Usage.UNKNOWN;
        }
        double seconds = (b.nanos() - a.nanos()) / 1e9;
        double server = (b.server() - a.server()) / seconds;
        double gen = (b.loadGenerator() - a.loadGenerator()) / seconds;
        double busy = (b.machineBusy() - a.machineBusy()) / seconds;
        return new Usage(server, gen, Math.max(0, busy - server - gen));
    }

    private static double machineBusy() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double process(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // the command may contain spaces: fields are counted after the closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}

package io.acrcache.bench;

import io.acrcache.bench.load.JvmComparison;
import io.acrcache.bench.load.LoadBenchmark;
import io.acrcache.bench.load.Profile;

import java.util.Arrays;

/** {@code java -jar acr-cache-webhook-bench.jar all|load|start|jvm|profile|jmh [JMH options]|jfr-summary FILE}. */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length == 0 ? "load" : args[0];
        String[] rest = args.length == 0 ? new String[0] : Arrays.copyOfRange(args, 1, args.length);
        switch (mode) {
            case "load" -> LoadBenchmark.main(rest);
            case "start" -> io.acrcache.bench.load.StartBenchmark.main(rest);
            case "all" -> io.acrcache.bench.load.AllBenchmark.main(rest);
            case "jvm" -> JvmComparison.main(rest);
            case "profile" -> Profile.main(rest);
            case "jfr-summary" -> JfrSummary.main(rest);
            case "jmh" -> org.openjdk.jmh.Main.main(rest.length == 0 ? new String[] {"io.acrcache.bench.jmh"} : rest);
            default -> {
                System.err.println(
                        "usage: all | load | start | jvm | profile | jmh [JMH options] | jfr-summary FILE.jfr");
                System.exit(2);
            }
        }
        System.exit(0);
    }
}

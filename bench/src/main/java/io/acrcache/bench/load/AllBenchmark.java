package io.acrcache.bench.load;

/**
 * Everything issue #12 asks for in one run: fresh starts (ready, first admission after ready), then the load of both
 * protocols at 16 and 64 in flight against the bare floor, with RSS under load. Defaults, unless set: 5 launches, 45 s
 * of pre-warm, 3 rounds of 10 s windows (a ratio is the median of three), HTTP/2 over 4 connections (2 per
 * load-generator event loop), as kube-apiserver spreads its streams.
 */
public final class AllBenchmark {
    private AllBenchmark() {}

    public static void main(String[] args) throws Exception {
        defaultTo("bench.start.runs", "5");
        defaultTo("bench.rounds", "3");
        defaultTo("bench.measure", "10s");
        // a longer pre-warm: the webhook's larger code is still being compiled (C2 busy) after 30 s on two busy cores
        defaultTo("bench.prewarm", "45s");
        defaultTo("bench.h2Connections", "2");
        defaultTo("bench.scenarios", "h1:16,h1:64,h2:16,h2:64");
        defaultTo("bench.servers", "bare,webhook");
        String start = StartBenchmark.run();
        String load = LoadBenchmark.run();
        LoadBenchmark.save("all", start + "\n" + load);
    }

    private static void defaultTo(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}

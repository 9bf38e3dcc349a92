package io.acrcache.bench.load;

import io.acrcache.bench.BareServer;
import io.acrcache.bench.Fixture;
import io.acrcache.bench.Props;
import io.acrcache.webhook.tls.CertificateBundle;
import io.acrcache.webhook.tls.CertificateFiles;
import io.acrcache.webhook.tls.CertificateGenerator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What every load run shares: a work folder with a freshly generated CA and serving certificate, the review, the
 * webhook's expected answer (the bare server's canned answer), and how to start either server as a child JVM.
 */
public final class Workspace {
    /** The chart's flag for the archive the image builds; here it names an archive trained from the webhook jar. */
    public static final String IMAGE_ARCHIVE_FLAG = "-XX:SharedArchiveFile=/app/acr-cache-webhook.jsa";

    /**
     * The chart's {@code javaToolOptions} (since 8f3180d with {@code -Xmn32m}, since issue #12 with the image's
     * class-data archive), plus {@code -XX:MaxRAM=256m} standing in for its 256Mi memory limit.
     */
    public static final String DEFAULT_JVM_FLAGS = IMAGE_ARCHIVE_FLAG
            + " -XX:MaxRAM=256m -XX:MaxRAMPercentage=75 -XX:+UseSerialGC -Xmn32m -XX:+ExitOnOutOfMemoryError";

    public final Path dir;
    public final Path caFile;
    public final Path certFile;
    public final Path keyFile;
    public final Path answerFile;
    public final byte[] review;
    public final byte[] answer;
    public final Path webhookJar;
    public final String benchClassPath;
    public final int instances;
    public final Duration readyTimeout;

    private Workspace(
            Path dir,
            Path caFile,
            Path certFile,
            Path keyFile,
            Path answerFile,
            byte[] review,
            byte[] answer,
            Path webhookJar,
            String benchClassPath,
            int instances) {
        this.dir = dir;
        this.caFile = caFile;
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.answerFile = answerFile;
        this.review = review;
        this.answer = answer;
        this.webhookJar = webhookJar;
        this.benchClassPath = benchClassPath;
        this.instances = instances;
        this.readyTimeout = Props.duration("bench.readyTimeout", "60s");
    }

    /**
     * The same workspace driving {@code review} instead (its answer computed again and written for the bare server):
     * the registry guard's run gives every server a review whose pinned digest exists in its registry.
     */
    public Workspace withReview(byte[] review) throws IOException {
        byte[] answer = Fixture.expectedAnswer(review, Fixture.config());
        Files.write(answerFile, answer);
        return new Workspace(
                dir, caFile, certFile, keyFile, answerFile, review, answer, webhookJar, benchClassPath, instances);
    }

    public static Workspace create() throws IOException {
        Path dir = Path.of(Props.string("bench.workDir", "bench/target/work")).toAbsolutePath();
        Files.createDirectories(dir);
        CertificateBundle bundle = CertificateGenerator.forService("acr-cache-webhook", "default", Duration.ofDays(7));
        CertificateFiles.Written certs = CertificateFiles.write(bundle, dir.resolve("certs"));
        byte[] review = Fixture.review();
        byte[] answer = Fixture.expectedAnswer();
        Path answerFile = dir.resolve("canned-answer.json");
        Files.write(answerFile, answer);
        Path jar = Path.of(Props.string("bench.webhookJar", "target/acr-cache-webhook.jar"))
                .toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("webhook jar " + jar + " not found: build it first (mvn -B -ntp install "
                    + "-DskipTests at the repository root) or pass -Dbench.webhookJar=PATH");
        }
        return new Workspace(
                dir,
                certs.caCertificate(),
                certs.certificate(),
                certs.key(),
                answerFile,
                review,
                answer,
                jar,
                System.getProperty("java.class.path"),
                Props.integer("bench.instances", 2));
    }

    /** The JVM flags both servers get ({@code -Dbench.jvmFlags}). */
    public static List<String> jvmFlags() {
        return Props.words("bench.jvmFlags", DEFAULT_JVM_FLAGS);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /**
     * The webhook's flags with the image's archive replaced by one made from {@link #webhookJar} the way the Dockerfile
     * makes it ({@code java -XX:ArchiveClassesAtExit=FILE -jar JAR train}), made again when the jar is newer.
     */
    public synchronized List<String> webhookFlags(List<String> flags) throws IOException, InterruptedException {
        if (!flags.contains(IMAGE_ARCHIVE_FLAG)) {
            return flags;
        }
        Path archive = dir.resolve("acr-cache-webhook.jsa");
        if (!Files.isRegularFile(archive)
                || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(webhookJar)) < 0) {
            Files.deleteIfExists(archive);
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-XX:ArchiveClassesAtExit=" + archive,
                            "-Xlog:cds=off",
                            "-XX:+UseSerialGC",
                            "-jar",
                            webhookJar.toString(),
                            "train")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("cds-training.log").toFile())
                    .start();
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)
                    || p.exitValue() != 0
                    || !Files.isRegularFile(archive)) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "training run for the class-data archive failed; see " + dir.resolve("cds-training.log"));
            }
            System.out.printf(
                    "class-data archive %s: %.1f MiB, training run %.1f s%n",
                    archive, Files.size(archive) / 1048576.0, (System.nanoTime() - t0) / 1e9);
        }
        List<String> out = new ArrayList<>();
        for (String f : flags) {
            out.add(f.equals(IMAGE_ARCHIVE_FLAG) ? "-XX:SharedArchiveFile=" + archive : f);
        }
        return out;
    }

    /** The bare server does not get the webhook's archive (it would not match its class path anyway). */
    public static List<String> bareFlags(List<String> flags) {
        List<String> out = new ArrayList<>(flags);
        out.removeIf(f -> f.startsWith("-XX:SharedArchiveFile="));
        return out;
    }

    /**
     * The webhook's Main starts one admission instance per available processor: when another count is asked for, both
     * servers get {@code -XX:ActiveProcessorCount} so they stay comparable.
     */
    private List<String> withInstances(List<String> flags) {
        List<String> jvm = new ArrayList<>(flags);
        if (instances != Runtime.getRuntime().availableProcessors()) {
            jvm.add("-XX:ActiveProcessorCount=" + instances);
        }
        return jvm;
    }

    /** A started server and where to reach it. */
    public record Server(ChildJvm jvm, LoadDriver.Target target, int opsPort, boolean webhook)
            implements AutoCloseable {
        /**
         * Bytes the server has allocated so far, -1 if unknown. The webhook: Micrometer's
         * {@code jvm_gc_memory_allocated_bytes_total} from its {@code /metrics} (young generation growth between
         * collections); the bare server: the allocation counters of its live threads.
         */
        public long allocatedBytes() {
            String body = ChildJvm.get(opsPort, webhook ? "/metrics" : "/allocated");
            if (body == null) {
                return -1;
            }
            if (!webhook) {
                return Long.parseLong(body.trim());
            }
            for (String line : body.split("\n")) {
                if (line.startsWith("jvm_gc_memory_allocated_bytes_total")) {
                    return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return -1;
        }

        @Override
        public void close() {
            jvm.close();
        }
    }

    /**
     * The webhook as the container image runs it ({@code java FLAGS -jar acr-cache-webhook.jar --config FILE}), with
     * {@code instances} admission event loops (it uses one per available processor).
     */
    public Server startWebhook(String name, List<String> flags, String logLevel) throws Exception {
        return launchWebhook(name, withInstances(webhookFlags(flags)), Fixture.LOGIN_SERVER, logLevel, "", answer);
    }

    /**
     * The webhook with the registry guard on ({@code guard.enabled: true}, anonymous pulls) against {@code registry} as
     * its login server, trusting the registry's certificate. Its answer names that login server; the work per review is
     * the same as {@link #startWebhook}'s plus the guard's.
     */
    Server startGuardedWebhook(String name, List<String> flags, String logLevel, GuardRegistry registry, byte[] answer)
            throws Exception {
        List<String> jvm = new ArrayList<>(withInstances(webhookFlags(flags)));
        jvm.addAll(registry.trustFlags());
        return launchWebhook(
                name, jvm, registry.hostPort(), logLevel, "guard:\n  enabled: true\n  auth: anonymous\n", answer);
    }

    private Server launchWebhook(
            String name, List<String> jvm, String loginServer, String logLevel, String moreYaml, byte[] answer)
            throws Exception {
        int port = freePort();
        int ops = freePort();
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, Fixture.webhookYaml(loginServer, port, ops, certFile, keyFile, logLevel) + moreYaml);
        ChildJvm child = ChildJvm.launch(
                name,
                jvm,
                List.of("-jar", webhookJar.toString(), "--config", config.toString()),
                dir.resolve(name + ".log"),
                ops,
                readyTimeout);
        return new Server(
                child, new LoadDriver.Target(name, child.pid(), port, "/mutate", caFile, answer.length), ops, true);
    }

    /**
     * The bare Vert.x + Jackson server, same flags, same TLS policy, same number of instances; a plain tree parse, or
     * with {@code STRICT_DUPLICATE_DETECTION} when {@code -Dbench.bare.strict=true}.
     */
    public Server startBare(String name, List<String> flags) throws Exception {
        int port = freePort();
        int ops = freePort();
        List<String> args = new ArrayList<>(List.of(
                "-cp",
                benchClassPath,
                BareServer.class.getName(),
                Integer.toString(port),
                Integer.toString(ops),
                certFile.toString(),
                keyFile.toString(),
                answerFile.toString(),
                Integer.toString(instances)));
        if (Props.bool("bench.bare.strict", false)) {
            args.add("strict"); // the duplicate-key check of the webhook's tree parse up to commit 1007724
        }
        ChildJvm child = ChildJvm.launch(
                name, withInstances(bareFlags(flags)), args, dir.resolve(name + ".log"), ops, readyTimeout);
        return new Server(
                child, new LoadDriver.Target(name, child.pid(), port, "/mutate", caFile, answer.length), ops, false);
    }
}

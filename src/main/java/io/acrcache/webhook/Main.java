package io.acrcache.webhook;

import io.acrcache.webhook.config.ConfigException;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingDef;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.config.SettingsCatalog;
import io.acrcache.webhook.config.SettingsLoader;
import io.acrcache.webhook.logging.LogSetup;
import io.acrcache.webhook.rewrite.RewriteCommand;
import io.acrcache.webhook.rulesync.RegistrySync;
import io.acrcache.webhook.server.WebhookServer;
import io.acrcache.webhook.tls.CertsCommand;
import sun.misc.Signal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Command line: {@code certs ...}, {@code rewrite ...}, {@code train} (see {@link #train}), {@code --help},
 * {@code --version}, or run the webhook with {@code --config FILE}.
 */
public final class Main {
    static {
        // before the first Logger: keeps shutdown log lines (see ShutdownSafeLogManager)
        System.setProperty("java.util.logging.manager", "io.acrcache.webhook.logging.ShutdownSafeLogManager");
    }

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) {
        quietNettyEvents();
        if (args.length > 0 && args[0].equals("train")) {
            // exits even if a library left a thread behind: the class-data archive is written at exit
            System.exit(train(System.out, System.err));
        }
        int code = run(args, System.getenv(), System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Netty's buffer allocator defines JDK Flight Recorder events; the first buffer it allocates loads one, and loading
     * an event class initializes JFR's metadata (about 90 ms of start-up, on the first TLS connection). Off unless set:
     * {@code -Dio.netty.jfr.enabled=true} turns them back on for a recording.
     */
    static void quietNettyEvents() {
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
    }

    /**
     * A training run for a class-data archive ({@code java -XX:ArchiveClassesAtExit=FILE -jar ... train}, see the
     * Dockerfile): starts the webhook on loopback with development certificates in a temporary folder, lets its warm-up
     * send synthetic reviews through TLS over both protocols, and stops. The archive then holds the classes a real
     * start loads. 0 when the webhook got ready.
     */
    static int train(PrintStream out, PrintStream err) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("acw-train");
            LoadedConfig config = SettingsLoader.parse(
                    "acrLoginServer: train.azurecr.io\n"
                            + "server: {host: 127.0.0.1, port: 0}\nops: {host: 127.0.0.1, port: 0}\n",
                    "train",
                    Map.of());
            LogSetup.configure(config.settings().logging().options());
            WebhookApp app = WebhookApp.start(
                    config,
                    new WebhookApp.Options(
                            null, Map.of(), dir, Runtime.getRuntime().availableProcessors(), Duration.ofSeconds(2)));
            boolean ready = app.readiness().isReady();
            app.stop(Duration.ZERO);
            LogSetup.flush();
            out.println(
                    ready
                            ? "trained: started, warmed up and stopped"
                            : "not ready: " + app.readiness().missing());
            return ready ? 0 : 1;
        } catch (Exception e) {
            err.println("training run failed: " + e);
            return 1;
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            // a temporary folder
        }
    }

    /** Every command {@link #run} and {@link #main} dispatch, one line each; the settings follow. */
    static final String COMMANDS = """
            Usage: java -jar acr-cache-webhook.jar [COMMAND] [options]

            Commands:
              (none)      serve the webhook: [--config FILE] (default: $ACW_CONFIG, else the embedded defaults)
              certs       write a CA and a serving certificate for the webhook Service (certs --help)
              rewrite     apply the webhook's rewrites to manifest files, without a cluster (rewrite --help)
              doctor      walk the cache's set-up chain in Azure and name the fix for each broken link (doctor --help)
              train       start, warm up and stop once, for a class-data archive (as the Dockerfile does)
              --version   print the version
              --help      print this help

            Documentation, in the source repository: README.md (the guide), docs/configuration.md (the settings
            below), docs/pull-failures.md, docs/guard.md, docs/azure.md, charts/acr-cache-webhook/README.md.

            """;

    /** The commands, then the settings part of the catalogue's help (its own usage lines name fewer commands). */
    static String help() {
        String settings = SettingsCatalog.help();
        int usageEnd = settings.startsWith("Usage:") ? settings.indexOf("\n\n") : -1;
        return COMMANDS + (usageEnd < 0 ? settings : settings.substring(usageEnd + 2));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("certs")) {
            return CertsCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("rewrite")) {
            return RewriteCommand.run(Arrays.copyOfRange(args, 1, args.length), env, System.in, out, err);
        }
        if (args.length > 0 && args[0].equals("doctor")) {
            return io.acrcache.webhook.doctor.DoctorCommand.run(
                    Arrays.copyOfRange(args, 1, args.length), env, out, err);
        }
        String configPath = env.get("ACW_CONFIG");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help":
                case "-h":
                    out.print(help());
                    return 0;
                case "--version":
                    out.println("acr-cache-webhook " + version());
                    return 0;
                case "--config":
                    if (i + 1 >= args.length) {
                        err.println("--config needs a file path");
                        return 2;
                    }
                    configPath = args[++i];
                    break;
                default:
                    err.println("unknown argument '" + args[i] + "' (see --help)");
                    return 2;
            }
        }
        Path file = configPath == null ? null : Path.of(configPath);
        LoadedConfig config;
        try {
            config = SettingsLoader.load(file, env);
        } catch (ConfigException e) {
            // logging is not set up yet; the line follows the format asked for, as far as it can be read
            String format = SettingsLoader.loggingFormat(file, env);
            err.print(
                    "json".equals(format)
                            ? LogSetup.line(format, Level.SEVERE, LOG.getName(), e.getMessage())
                            : e.getMessage() + "\n");
            err.flush();
            return 2;
        }
        LogSetup.configure(config.settings().logging().options());
        config.warnings().forEach(LOG::warning);
        LOG.info(startLine(configPath, config, env));
        WebhookApp app;
        try {
            app = WebhookApp.start(config, WebhookApp.Options.production(file, env));
        } catch (Exception e) {
            // an expected failure (a port taken) names itself; no stack trace
            LOG.severe("cannot start: " + e.getMessage());
            LogSetup.flush();
            return 1;
        }
        LOG.info(servingLine(config.settings(), app));
        interruptTwiceToExit();
        // Vert.x threads keep the JVM alive; SIGTERM runs this hook, which drains before exiting
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("stopping: draining for "
                                    + config.settings().shutdown().drainSeconds() + "s");
                            app.stop(Duration.ofSeconds(
                                    app.config().get().settings().shutdown().drainSeconds()));
                            LOG.info("stopped");
                            LogSetup.flush();
                        },
                        "shutdown"));
        return 0;
    }

    /** The version Maven wrote into {@code version.properties}; "unknown" when run from unfiltered classes. */
    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isBlank() && !v.startsWith("$")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        String fromManifest = Main.class.getPackage().getImplementationVersion();
        return fromManifest == null ? "unknown" : fromManifest;
    }

    /** Where the configuration came from, including which settings the environment set. */
    static String startLine(String configPath, LoadedConfig config, Map<String, String> env) {
        List<String> fromEnv = new ArrayList<>();
        for (SettingDef def : SettingsCatalog.ALL) {
            if (env.containsKey(def.env())) {
                fromEnv.add(def.env() + " (" + def.path() + ")");
            }
        }
        return "acr-cache-webhook " + version() + ", configuration "
                + (configPath == null ? "(embedded defaults)" : configPath) + ": login server "
                + config.settings().acrLoginServer() + ", " + config.ruleSet().size() + " rule(s), mode "
                + config.settings().mode().label() + "; from the environment: "
                + (fromEnv.isEmpty() ? "nothing" : String.join(", ", fromEnv));
    }

    /** The URLs the two listeners serve, as a user would call them. */
    static String servingLine(Settings settings, WebhookApp app) {
        String admission = "https://" + urlHost(settings.server().host()) + ":" + app.admissionPort();
        String ops = "http://" + urlHost(settings.ops().host()) + ":" + app.opsPort();
        return "serving " + admission + WebhookServer.MUTATE_PATH + " and " + admission + WebhookServer.AUDIT_PATH
                + "; ops " + ops + "/healthz " + ops + "/readyz " + ops + "/metrics " + ops + RegistrySync.path()
                + (settings.pullFailures().enabled() ? " " + ops + "/pull-failures" : "");
    }

    private static String urlHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            return "localhost";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /**
     * Ctrl-C stops gracefully (the shutdown hook drains); a second Ctrl-C while that runs exits at once, as a user
     * pressing it again expects. SIGTERM (Kubernetes) is not touched: it always drains.
     */
    private static void interruptTwiceToExit() {
        AtomicInteger interrupts = new AtomicInteger();
        try {
            Signal.handle(new Signal("INT"), signal -> {
                if (interrupts.incrementAndGet() == 1) {
                    LOG.info("interrupted: stopping gracefully (press Ctrl-C again to exit at once)");
                    Thread exit = new Thread(() -> System.exit(130), "interrupt");
                    exit.start();
                } else {
                    LOG.warning("interrupted again: exiting now, without draining");
                    LogSetup.flush();
                    Runtime.getRuntime().halt(130);
                }
            });
        } catch (IllegalArgumentException e) {
            // no SIGINT handling on this JVM (-Xrs): the default applies
        }
    }
}

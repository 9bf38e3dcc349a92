package io.acrcache.webhook;

import io.acrcache.webhook.config.ConfigException;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingsCatalog;
import io.acrcache.webhook.config.SettingsLoader;
import io.acrcache.webhook.logging.LogSetup;
import io.acrcache.webhook.tls.CertsCommand;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Command line: {@code certs ...}, {@code train} (see {@link #train}), {@code --help}, or run the webhook with
 * {@code --config FILE}.
 */
public final class Main {
    static {
        // before the first Logger: keeps shutdown log lines (see ShutdownSafeLogManager)
        System.setProperty("java.util.logging.manager", "io.acrcache.webhook.logging.ShutdownSafeLogManager");
    }

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) {
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
            LogSetup.configure(WebhookApp.logOptions(config.settings()));
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

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("certs")) {
            return CertsCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        String configPath = env.get("ACW_CONFIG");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help":
                case "-h":
                    out.print(SettingsCatalog.help());
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
        LoadedConfig config;
        try {
            config = SettingsLoader.load(configPath == null ? null : Path.of(configPath), env);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        LogSetup.configure(WebhookApp.logOptions(config.settings()));
        config.warnings().forEach(LOG::warning);
        LOG.info("configuration " + (configPath == null ? "(embedded defaults)" : configPath) + ": login server "
                + config.settings().acrLoginServer() + ", " + config.ruleSet().size() + " rule(s), mode "
                + config.settings().mode().label());
        WebhookApp app;
        try {
            app = WebhookApp.start(
                    config, WebhookApp.Options.production(configPath == null ? null : Path.of(configPath), env));
        } catch (Exception e) {
            err.println("cannot start: " + e.getMessage());
            return 1;
        }
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
}

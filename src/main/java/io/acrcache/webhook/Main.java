package io.acrcache.webhook;

import io.acrcache.webhook.config.ConfigException;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingsCatalog;
import io.acrcache.webhook.config.SettingsLoader;
import io.acrcache.webhook.logging.LogSetup;
import io.acrcache.webhook.rewrite.RewriteCommand;
import io.acrcache.webhook.tls.CertsCommand;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Command line: {@code certs ...}, {@code rewrite ...}, {@code --help}, or run the webhook with {@code --config FILE}.
 */
public final class Main {
    static {
        // before the first Logger: keeps shutdown log lines (see ShutdownSafeLogManager)
        System.setProperty("java.util.logging.manager", "io.acrcache.webhook.logging.ShutdownSafeLogManager");
    }

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("certs")) {
            return CertsCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("rewrite")) {
            return RewriteCommand.run(Arrays.copyOfRange(args, 1, args.length), env, System.in, out, err);
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

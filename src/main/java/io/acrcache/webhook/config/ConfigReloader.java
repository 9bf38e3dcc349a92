package io.acrcache.webhook.config;

import io.acrcache.webhook.logging.LogSetup;
import io.acrcache.webhook.watch.FileContentWatcher;
import io.acrcache.webhook.watch.ReloadCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Re-reads the config file when it changes. A valid file replaces the rules and options between two admissions; an
 * invalid one is refused with its errors logged and counted, and the last good configuration keeps serving. Listener
 * settings (hosts, ports, body limit, certificate paths, the pull-failure watch) are bound at start: a change to them
 * is applied only by a restart, and said so. With no file (embedded defaults) it only registers its meters.
 */
public final class ConfigReloader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigReloader.class.getName());
    public static final String RELOADS = "acw.config.reloads";
    public static final String LAST_SUCCESS = "acw.config.last.success.timestamp";

    private final ConfigHolder holder;
    private final Path file;
    private final Map<String, String> env;
    private final ReloadCounter reloads;
    private volatile double lastSuccessEpochSeconds;
    private final FileContentWatcher watcher;

    public ConfigReloader(
            Vertx vertx,
            ConfigHolder holder,
            Path file,
            Map<String, String> env,
            MeterRegistry registry,
            Duration interval) {
        this.holder = holder;
        this.file = file;
        this.env = env;
        this.reloads = new ReloadCounter(registry, RELOADS, "Configuration reloads, by result");
        this.lastSuccessEpochSeconds = System.currentTimeMillis() / 1000.0;
        Gauge.builder(LAST_SUCCESS, this, r -> r.lastSuccessEpochSeconds)
                .baseUnit("seconds")
                .description("When the configuration in force was loaded (Unix time)")
                .register(registry);
        // on embedded defaults there is no file to watch, but the meters still tell when the config was loaded
        this.watcher = file == null
                ? null
                : FileContentWatcher.start(vertx, List.of(file), interval, contents -> reload(contents.get(0)));
    }

    private void reload(byte[] content) {
        LoadedConfig next;
        try {
            next = SettingsLoader.parse(new String(content, StandardCharsets.UTF_8), file.toString(), env);
        } catch (ConfigException e) {
            reloads.failure();
            LOG.severe("configuration change in " + file + " refused; the previous configuration stays in force. "
                    + e.getMessage());
            return;
        }
        Settings before = holder.get().settings();
        Settings after = next.settings();
        holder.set(next);
        lastSuccessEpochSeconds = System.currentTimeMillis() / 1000.0;
        reloads.success();
        next.warnings().forEach(LOG::warning);
        if (!before.logging().equals(after.logging())) {
            LogSetup.configure(after.logging()); // replaces the log handler and its writer thread
        }
        LOG.info("configuration reloaded from " + file + ": " + next.ruleSet().size() + " rule(s), mode "
                + after.mode().label());
        if (!before.server().equals(after.server())
                || !before.ops().equals(after.ops())
                || !before.pullFailures().equals(after.pullFailures())) {
            LOG.warning("server, ops or pullFailures settings changed in " + file
                    + ": they take effect at the next restart");
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}

package io.acrcache.webhook.config;

import io.acrcache.webhook.watch.FileSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * Re-reads the config file when it changes. A valid file replaces the rules and options between two admissions; an
 * invalid one is refused with its errors logged and counted, and the last good configuration keeps serving. Listener
 * settings (hosts, ports, body limit, certificate paths, the pull-failure watch) are bound at start: a change to them
 * is applied only by a restart, and said so. Whoever else must follow a reload (logging) subscribes with
 * {@code onReload}. With no file (embedded defaults) it only registers its meters.
 */
public final class ConfigReloader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigReloader.class.getName());
    public static final String RELOADS = "acw.config.reloads";
    public static final String LAST_SUCCESS = "acw.config.last.success.timestamp";

    private final ConfigHolder holder;
    private final Path file;
    private final BiConsumer<LoadedConfig, LoadedConfig> onReload;
    private final FileSource<LoadedConfig> source;

    /** @param onReload called with the configuration before and after each accepted reload, after it is in force */
    public ConfigReloader(
            Vertx vertx,
            ConfigHolder holder,
            Path file,
            Map<String, String> env,
            MeterRegistry registry,
            Duration interval,
            BiConsumer<LoadedConfig, LoadedConfig> onReload) {
        this.holder = holder;
        this.file = file;
        this.onReload = onReload;
        this.source = new FileSource<>(
                vertx,
                "configuration",
                file == null ? List.of() : List.of(file),
                interval,
                holder.get(),
                contents ->
                        SettingsLoader.parse(new String(contents.get(0), StandardCharsets.UTF_8), file.toString(), env),
                (previous, next) -> apply(next),
                registry,
                RELOADS,
                "Configuration reloads, by result");
        Gauge.builder(LAST_SUCCESS, source, s -> s.lastSuccess().toEpochMilli() / 1000.0)
                .baseUnit("seconds")
                .description("When the configuration in force was loaded (Unix time)")
                .register(registry);
    }

    private Future<Void> apply(LoadedConfig next) {
        // the holder, not the source, knows what serves now: tests and operators may set it directly
        LoadedConfig before = holder.get();
        holder.set(next);
        next.warnings().forEach(LOG::warning);
        Settings was = before.settings();
        Settings now = next.settings();
        LOG.info("configuration reloaded from " + file + ": " + next.ruleSet().size() + " rule(s), mode "
                + now.mode().label());
        if (!was.server().equals(now.server())
                || !was.ops().equals(now.ops())
                || !was.pullFailures().equals(now.pullFailures())) {
            LOG.warning("server, ops or pullFailures settings changed in " + file
                    + ": they take effect at the next restart");
        }
        onReload.accept(before, next);
        return Future.succeededFuture();
    }

    @Override
    public void close() {
        source.close();
    }
}

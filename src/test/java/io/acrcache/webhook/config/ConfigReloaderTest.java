package io.acrcache.webhook.config;

import io.acrcache.webhook.testing.AtomicFiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ConfigReloaderTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> reloads = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    private ConfigReloader reloader(Vertx vertx, ConfigHolder holder, Path file) {
        return new ConfigReloader(
                vertx,
                holder,
                file,
                Map.of("ACW_MODE", "audit"),
                registry,
                Duration.ofMillis(20),
                (before, after) -> reloads.add(before.settings().acrLoginServer() + "->"
                        + after.settings().acrLoginServer()));
    }

    private double count(String result) {
        return registry.get(ConfigReloader.RELOADS)
                .tag("result", result)
                .counter()
                .count();
    }

    @Test
    void aValidFileReplacesTheConfigurationAndTellsTheListener(Vertx vertx) throws Exception {
        Path file = AtomicFiles.write(dir.resolve("c.yaml"), "acrLoginServer: a.azurecr.io\n");
        ConfigHolder holder = new ConfigHolder(SettingsLoader.load(file, Map.of()));
        try (ConfigReloader r = reloader(vertx, holder, file)) {
            AtomicFiles.write(file, "acrLoginServer: b.azurecr.io\n");
            eventually("the reload", () -> count("success") == 1);
            assertEquals("b.azurecr.io", holder.get().settings().acrLoginServer());
            assertEquals(Mode.AUDIT, holder.get().settings().mode(), "environment applied again");
            assertEquals(List.of("a.azurecr.io->b.azurecr.io"), reloads);
            assertTrue(registry.get(ConfigReloader.LAST_SUCCESS).gauge().value() > 0);
        }
    }

    @Test
    void anInvalidFileIsRefusedAndTheLastGoodOneServes(Vertx vertx) throws Exception {
        Path file = AtomicFiles.write(dir.resolve("c.yaml"), "acrLoginServer: a.azurecr.io\n");
        LoadedConfig first = SettingsLoader.load(file, Map.of());
        ConfigHolder holder = new ConfigHolder(first);
        try (ConfigReloader r = reloader(vertx, holder, file)) {
            AtomicFiles.write(file, "acrLoginServer: a.azurecr.io\nserver: {port: http}\n");
            eventually("the refusal", () -> count("failure") == 1);
            assertEquals(first, holder.get());
            assertEquals(List.of(), reloads);
        }
    }

    @Test
    void onDefaultsOnlyTheMetersExist(Vertx vertx) throws Exception {
        ConfigHolder holder = new ConfigHolder(SettingsLoader.load(null, Map.of()));
        try (ConfigReloader r = reloader(vertx, holder, null)) {
            assertEquals(0, count("success"));
            assertEquals(0, count("failure"));
            assertTrue(registry.get(ConfigReloader.LAST_SUCCESS).gauge().value() > 0);
        }
    }
}

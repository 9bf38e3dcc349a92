package io.acrcache.webhook.testing;

import io.acrcache.webhook.config.ConfigException;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingsLoader;

import java.util.Map;

/** Configurations for tests, loaded through the real loader. */
public final class TestConfigs {
    private TestConfigs() {}

    public static LoadedConfig defaults() {
        return yaml(null);
    }

    public static LoadedConfig yaml(String text) {
        try {
            return SettingsLoader.parse(text, "test", Map.of());
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}

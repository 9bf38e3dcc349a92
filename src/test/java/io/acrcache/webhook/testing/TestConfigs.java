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
        return yaml(text, Map.of());
    }

    /** @param env environment variables (ACW_...) laid over the file, as in a container */
    public static LoadedConfig yaml(String text, Map<String, String> env) {
        try {
            return SettingsLoader.parse(text, "test", env);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}

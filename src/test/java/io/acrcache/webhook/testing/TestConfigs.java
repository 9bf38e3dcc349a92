package io.acrcache.webhook.testing;

import io.acrcache.webhook.config.ConfigException;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingsLoader;

import java.util.Map;

/** Configurations for tests, loaded through the real loader. */
public final class TestConfigs {
    private static final String LOGIN_SERVER = "acrLoginServer: myacr.azurecr.io\n";

    private TestConfigs() {}

    public static LoadedConfig defaults() {
        return yaml(null);
    }

    public static LoadedConfig yaml(String text) {
        return yaml(text, Map.of());
    }

    /**
     * A config file as tests write it: with the default login server unless the text sets one (a real file must name
     * its registry; see {@code SettingsLoaderTest}).
     *
     * @param env environment variables (ACW_...) laid over the file, as in a container
     */
    public static LoadedConfig yaml(String text, Map<String, String> env) {
        String file = text == null || text.contains("acrLoginServer:") ? text : LOGIN_SERVER + text;
        try {
            return SettingsLoader.parse(file, "test", env);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }
}

package io.acrcache.webhook.config;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The configuration in force. Each admission reads it once, so a reload swaps rules between requests, never in the
 * middle of one.
 */
public final class ConfigHolder implements Supplier<LoadedConfig> {
    private final AtomicReference<LoadedConfig> current;

    public ConfigHolder(LoadedConfig initial) {
        this.current = new AtomicReference<>(initial);
    }

    @Override
    public LoadedConfig get() {
        return current.get();
    }

    public void set(LoadedConfig next) {
        current.set(next);
    }
}

package io.acrcache.webhook.config;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The configuration in force. Each admission reads it once, so a reload swaps rules between requests, never in the
 * middle of one.
 *
 * <p>The configuration in force is the loaded one (file, environment, defaults) with an optional overlay on top: rules
 * read from the registry replace the file's rules this way. A reload ({@link #set}) replaces the loaded configuration
 * and the overlay is applied to it again in the same step, so no admission ever sees the file's rules while the
 * registry's are in force; {@link #overlay} replaces the overlay and keeps the loaded configuration.
 */
public final class ConfigHolder implements Supplier<LoadedConfig> {
    private final AtomicReference<LoadedConfig> current;
    private LoadedConfig loaded;
    private UnaryOperator<LoadedConfig> overlay = UnaryOperator.identity();

    public ConfigHolder(LoadedConfig initial) {
        this.current = new AtomicReference<>(initial);
        this.loaded = initial;
    }

    @Override
    public LoadedConfig get() {
        return current.get();
    }

    /** A newly loaded configuration; the overlay, if any, stays on top of it. */
    public synchronized void set(LoadedConfig next) {
        loaded = next;
        current.set(overlay.apply(next));
    }

    /** Puts {@code next} over the loaded configuration (identity: the loaded configuration serves as it is). */
    public synchronized void overlay(UnaryOperator<LoadedConfig> next) {
        overlay = next;
        current.set(next.apply(loaded));
    }

    /** The configuration as loaded, without the overlay (the file's rules, for a drift check). */
    public synchronized LoadedConfig loaded() {
        return loaded;
    }
}

package io.acrcache.webhook.logging;

import java.util.logging.LogManager;

/**
 * The JDK resets logging from its own shutdown hook, which races ours: the lines that say how the drain went would be
 * lost. This manager ignores that reset; {@link LogSetup} still resets on (re)configuration. Installed by {@code Main}
 * through {@code java.util.logging.manager}.
 */
public final class ShutdownSafeLogManager extends LogManager {
    @Override
    public void reset() {
        if (Thread.currentThread().getClass().getName().startsWith(LogManager.class.getName() + "$")) {
            return; // LogManager$Cleaner, the JDK's shutdown hook
        }
        super.reset();
    }
}

package io.acrcache.webhook.config;

import java.util.Locale;

/** Enforce patches Pods; audit computes the same rewrites and only reports them in warnings. */
public enum Mode {
    ENFORCE,
    AUDIT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

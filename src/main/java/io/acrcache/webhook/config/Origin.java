package io.acrcache.webhook.config;

import java.util.Locale;

/** Where a key's value came from; later sources win (environment over file over defaults). */
public enum Origin {
    DEFAULTS,
    FILE,
    ENVIRONMENT;

    /** As {@code GET /rules} names it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package io.acrcache.webhook.admission;

/** How one admission request ended; {@link #label()} is the bounded metric label. */
public enum Outcome {
    /** A patch was returned. */
    PATCHED,
    /** In scope, but nothing to change (or audit mode, which never patches). */
    UNCHANGED,
    /** Not in scope: another kind or operation, an excluded namespace, an opted-out or mirror Pod. */
    SKIPPED,
    /** An internal failure: admitted unchanged with a warning. */
    ERROR;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

package io.acrcache.webhook.config;

/**
 * The guard's choice settings, bound as enums like {@link Mode}. They live here because the configuration binds them
 * and may not import {@code guard}; {@code guard.GuardSettings} implements this interface, so the guard names them
 * {@code GuardSettings.Auth} and {@code GuardSettings.UnknownPolicy} as before.
 */
public interface GuardChoices {
    /** How the guard authenticates to the login server. */
    enum Auth {
        WORKLOAD_IDENTITY,
        ANONYMOUS;

        /** As written in the configuration: {@code workload-identity}, {@code anonymous}. */
        public String label() {
            return Binder.label(this);
        }
    }

    /** What an image whose state is still unknown after the inline budget becomes. */
    enum UnknownPolicy {
        /** Leave the image as written and probe in the background, so the next Pod benefits. */
        LEAVE,
        /** Rewrite when the rule's and the registry's breakers are closed. */
        REWRITE_IF_RULE_HEALTHY;

        /** As written in the configuration: {@code leave}, {@code rewrite-if-rule-healthy}. */
        public String label() {
            return Binder.label(this);
        }
    }
}

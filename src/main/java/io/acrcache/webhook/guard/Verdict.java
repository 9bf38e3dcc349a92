package io.acrcache.webhook.guard;

/**
 * The guard's answer for one candidate.
 *
 * @param candidate what was asked
 * @param decision rewrite or leave
 * @param basis why, as a bounded metric label
 */
public record Verdict(Candidate candidate, Decision decision, Basis basis) {

    public enum Decision {
        REWRITE("rewrite"),
        LEAVE("leave");

        private final String label;

        Decision(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Why the guard decided; {@link #skipLabel()} is the reason admission reports for an image it leaves. */
    public enum Basis {
        CACHE_SERVABLE("cache-servable", null),
        INLINE_SERVABLE("inline-servable", null),
        CACHE_NOT_FOUND("cache-not-found", "guard-not-servable"),
        INLINE_NOT_FOUND("inline-not-found", "guard-not-servable"),
        /** The source registry refused this repository, or the cache's fetch of it failed (403/401 source, 424). */
        CACHE_REFUSED("cache-refused", "guard-not-servable"),
        INLINE_REFUSED("inline-refused", "guard-not-servable"),
        /** An earlier probe of this image ran out of time while the registry answered. */
        CACHE_SLOW("cache-slow", "guard-unverified"),
        BREAKER_OPEN("breaker-open", "guard-breaker-open"),
        /** The inline probe failed without saying it is about this image (being confirmed by {@code /v2/}). */
        PROBE_ERROR("probe-error", "guard-unhealthy"),
        UNKNOWN_TIMEOUT("unknown-timeout", "guard-unverified"),
        UNKNOWN_SHED("unknown-shed", "guard-not-checked"),
        UNKNOWN_DRYRUN("unknown-dryrun", "guard-not-checked"),
        /** No ACR refresh token in memory yet: the guard never fetches Entra tokens inline. */
        UNKNOWN_NO_TOKEN("unknown-no-token", "guard-no-token"),
        /** The registry's token realm is on another host: refused, so nothing can be checked. */
        REALM_REFUSED("realm-refused", "guard-realm-refused"),
        /** Unknown, rewritten under {@code unknownPolicy: rewrite-if-rule-healthy}. */
        UNKNOWN_POLICY_REWRITE("unknown-policy-rewrite", null);

        private final String label;
        private final String skipLabel;

        Basis(String label, String skipLabel) {
            this.label = label;
            this.skipLabel = skipLabel;
        }

        public String label() {
            return label;
        }

        /** The {@code acw_images_skipped_total} reason for an image left on this basis (null for rewrites). */
        public String skipLabel() {
            return skipLabel;
        }
    }

    public boolean rewrite() {
        return decision == Decision.REWRITE;
    }

    /** The skip reason when the image is left, else null. */
    public String skipLabel() {
        return decision == Decision.LEAVE ? basis.skipLabel() : null;
    }
}

package io.acrcache.webhook.admission;

import io.acrcache.webhook.rules.ImagePlanner;
import io.acrcache.webhook.rules.ImageTarget;

/** Why an image was left as it was; {@link #label()} is the bounded metric label. */
public enum SkipReason {
    EXCLUDED_NAMESPACE("excluded-namespace"),
    OPTED_OUT("opted-out"),
    MIRROR_POD("mirror-pod"),
    PULL_POLICY_NEVER("pull-policy-never"),
    EXCLUDED_IMAGE("excluded-image"),
    NO_RULE("no-rule"),
    INVALID_REFERENCE("invalid-reference"),
    ALREADY_CACHED("already-cached"),
    TARGET_TOO_LONG("target-too-long"),
    /** The registry guard found the image not servable by the cache (missing, refused by the source, cached so). */
    GUARD_NOT_SERVABLE("guard-not-servable", "not-servable"),
    /** The guard's probe of the image failed without saying it is about the image (an error being confirmed). */
    GUARD_UNHEALTHY("guard-unhealthy", "unhealthy"),
    /** The registry guard's probe ran out of its budget (or an earlier one ran out of time): not confirmed in time. */
    GUARD_UNVERIFIED("guard-unverified", "unverified"),
    /** The breaker of the image's cache rule or login server is open: nothing covered by it is rewritten or probed. */
    GUARD_BREAKER_OPEN("guard-breaker-open", "breaker-open"),
    /** The guard holds no registry token yet (it never fetches one on the admission path). */
    GUARD_NO_TOKEN("guard-no-token", "no-token"),
    /** The registry's challenge named a token realm on another host than the login server: refused, nothing sent. */
    GUARD_REALM_REFUSED("guard-realm-refused", "realm-refused"),
    /** Not probed at all: a dry run (memory only) or too many probes in flight. */
    GUARD_NOT_CHECKED("guard-not-checked", "not-checked");

    private final String label;
    private final String guardState;

    SkipReason(String label) {
        this(label, null);
    }

    SkipReason(String label, String guardState) {
        this.label = label;
        this.guardState = guardState;
    }

    /** The guard's reason for this {@code acw_images_skipped_total} label; null when the label is not the guard's. */
    public static SkipReason guard(String label) {
        for (SkipReason r : values()) {
            if (r.guardState != null && r.label.equals(label)) {
                return r;
            }
        }
        return null;
    }

    /**
     * The state recorded in the guard annotation ({@code not-servable}, {@code unhealthy}, {@code unverified}); null
     * for reasons that are not the guard's.
     */
    public String guardState() {
        return guardState;
    }

    /** The reason for an image the shared {@link ImagePlanner} leaves alone. */
    static SkipReason of(ImageTarget.Miss miss) {
        return switch (miss) {
            case INVALID_REFERENCE -> INVALID_REFERENCE;
            case ALREADY_CACHED -> ALREADY_CACHED;
            case EXCLUDED_IMAGE -> EXCLUDED_IMAGE;
            case NO_RULE -> NO_RULE;
            case TARGET_TOO_LONG -> TARGET_TOO_LONG;
        };
    }

    public String label() {
        return label;
    }
}

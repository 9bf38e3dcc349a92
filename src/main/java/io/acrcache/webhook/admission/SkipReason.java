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
    TARGET_TOO_LONG("target-too-long");

    private final String label;

    SkipReason(String label) {
        this.label = label;
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

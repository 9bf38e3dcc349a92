package io.acrcache.webhook.admission;

/** Why an image was left as it was; {@link #label()} is the bounded metric label. */
public enum SkipReason {
    EXCLUDED_NAMESPACE("excluded-namespace"),
    OPTED_OUT("opted-out"),
    MIRROR_POD("mirror-pod"),
    PULL_POLICY_NEVER("pull-policy-never"),
    NO_RULE("no-rule"),
    INVALID_REFERENCE("invalid-reference"),
    ALREADY_CACHED("already-cached"),
    TARGET_TOO_LONG("target-too-long");

    private final String label;

    SkipReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

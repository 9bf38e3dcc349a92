package io.acrcache.webhook.rules;

import io.acrcache.webhook.image.ImageReference;

/** Where one image string should be pulled from, as {@link ImagePlanner} decides it. */
public sealed interface ImageTarget {

    /** Why an image stays where it is. */
    enum Miss {
        /** The string is not an image reference the runtime would accept. */
        INVALID_REFERENCE,
        /** The image already names the registry. */
        ALREADY_CACHED,
        /** The image matches {@code excludeImages}: never rewritten. */
        EXCLUDED_IMAGE,
        /** No cache rule covers the image's repository. */
        NO_RULE,
        /** A rule covers it, but the rewritten name would pass the 255-character limit. */
        TARGET_TOO_LONG
    }

    /**
     * The image through the cache.
     *
     * @param reference the image as parsed
     * @param rewritten the reference in the registry: login server, {@code match.targetRepository()}, then the tag and
     *     digest exactly as written
     */
    record Rewrite(ImageReference reference, RuleMatch match, String rewritten) implements ImageTarget {}

    /**
     * The image left as written.
     *
     * @param reference the image as parsed, null for {@link Miss#INVALID_REFERENCE}
     * @param match the rule that covers the image, only for {@link Miss#TARGET_TOO_LONG}
     */
    record Leave(Miss miss, ImageReference reference, RuleMatch match) implements ImageTarget {}
}

package io.acrcache.webhook.admission;

import io.acrcache.webhook.rules.RuleMatch;

/**
 * What happens to one container's image: rewritten to {@code rewritten} under {@code match}, or left alone for
 * {@code skipReason}. Exactly one of {@code rewritten} and {@code skipReason} is set.
 */
public record ImageDecision(
        ContainerKind kind,
        int index,
        String container,
        String original,
        String rewritten,
        RuleMatch match,
        SkipReason skipReason) {

    static ImageDecision rewrite(
            ContainerKind kind, int index, String container, String original, String rewritten, RuleMatch match) {
        return new ImageDecision(kind, index, container, original, rewritten, match, null);
    }

    static ImageDecision skip(ContainerKind kind, int index, String container, String original, SkipReason reason) {
        return new ImageDecision(kind, index, container, original, null, null, reason);
    }

    public boolean isRewrite() {
        return rewritten != null;
    }

    /** The key under which the original image is recorded in the annotation, e.g. {@code containers/app}. */
    public String annotationKey() {
        return kind.field() + "/" + container;
    }
}

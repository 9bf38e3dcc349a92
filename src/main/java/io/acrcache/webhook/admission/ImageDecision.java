package io.acrcache.webhook.admission;

import io.acrcache.webhook.image.ImageReference;
import io.acrcache.webhook.rules.ImageTarget;
import io.acrcache.webhook.rules.RuleMatch;

import java.util.Objects;

/**
 * What happens to one container's image: rewritten to {@code rewritten} under {@code match}, or left alone for
 * {@code skipReason}. Exactly one of {@code rewritten} and {@code skipReason} is set.
 *
 * @param reference the image as parsed (its tag and digest are those of {@code rewritten}); null where it was not
 *     parsed (invalid, or skipped before parsing)
 */
public record ImageDecision(
        ContainerKind kind,
        int index,
        String container,
        String original,
        ImageReference reference,
        String rewritten,
        RuleMatch match,
        SkipReason skipReason) {

    static ImageDecision rewrite(
            ContainerKind kind, int index, PodView.ContainerView container, ImageTarget.Rewrite to) {
        return new ImageDecision(
                kind, index, container.name(), container.image(), to.reference(), to.rewritten(), to.match(), null);
    }

    static ImageDecision skip(
            ContainerKind kind,
            int index,
            String container,
            String original,
            ImageReference reference,
            SkipReason why) {
        return new ImageDecision(kind, index, container, original, reference, null, null, why);
    }

    /**
     * The same image left as written for {@code reason}: how a later check (e.g. a probe of the registry) withdraws a
     * planned rewrite.
     */
    public ImageDecision leave(SkipReason reason) {
        return skip(kind, index, container, original, reference, Objects.requireNonNull(reason, "reason"));
    }

    public boolean isRewrite() {
        return rewritten != null;
    }

    /** The key under which the original image is recorded in the annotation, e.g. {@code containers/app}. */
    public String annotationKey() {
        return kind.field() + "/" + container;
    }
}

package io.acrcache.webhook.admission;

import java.util.List;

/**
 * The decisions for every image in scope of one Pod. {@code podSkip} is set when the whole Pod is out of scope (then
 * every decision carries that reason). The list is not copied (this is the admission hot path): whoever makes a plan
 * hands its list over and does not change it afterwards. {@code brought} is the original-images record the Pod came
 * with, as far as it holds ({@link OriginalImages}); null when it came with none.
 */
public record PodPlan(List<ImageDecision> decisions, SkipReason podSkip, OriginalImages brought) {

    /** A plan for a Pod that brought no original-images record. */
    public PodPlan(List<ImageDecision> decisions, SkipReason podSkip) {
        this(decisions, podSkip, null);
    }

    /** The same Pod with its decisions revised (e.g. rewrites withdrawn with {@link ImageDecision#leave}). */
    public PodPlan withDecisions(List<ImageDecision> revised) {
        return new PodPlan(List.copyOf(revised), podSkip, brought);
    }

    /** Whether the original-images record the Pod brought must be rewritten or removed (it does not hold). */
    public boolean correctsRecord() {
        return brought != null && brought.corrected();
    }

    /** Whether the registry guard left any image alone (see {@link SkipReason#guardState()}). */
    public boolean hasGuardSkips() {
        for (ImageDecision d : decisions) {
            if (!d.isRewrite() && d.skipReason().guardState() != null) {
                return true;
            }
        }
        return false;
    }

    public boolean hasRewrites() {
        for (ImageDecision d : decisions) {
            if (d.isRewrite()) {
                return true;
            }
        }
        return false;
    }
}

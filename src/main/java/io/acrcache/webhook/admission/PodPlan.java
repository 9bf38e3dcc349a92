package io.acrcache.webhook.admission;

import java.util.List;

/**
 * The decisions for every image in scope of one Pod. {@code podSkip} is set when the whole Pod is out of scope (then
 * every decision carries that reason). The list is not copied (this is the admission hot path): whoever makes a plan
 * hands its list over and does not change it afterwards.
 */
public record PodPlan(List<ImageDecision> decisions, SkipReason podSkip) {

    /** The same Pod with its decisions revised (e.g. rewrites withdrawn with {@link ImageDecision#leave}). */
    public PodPlan withDecisions(List<ImageDecision> revised) {
        return new PodPlan(List.copyOf(revised), podSkip);
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

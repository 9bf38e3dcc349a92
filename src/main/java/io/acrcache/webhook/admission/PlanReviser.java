package io.acrcache.webhook.admission;

import java.util.concurrent.CompletionStage;

/**
 * A step between {@link AdmissionReviewHandler#plan} and {@link AdmissionReviewHandler#answer} that may withdraw
 * planned rewrites (the registry guard implements it). The port keeps the transport from knowing who revises: the
 * server hands a review in once and gets its answer out once. It is asked only about plans with rewrites.
 */
public interface PlanReviser {
    /**
     * Must not block: the caller is an event loop. A stage that fails (or an exception thrown here) answers the review
     * unchanged, with the failure as its warning: the webhook fails open.
     *
     * @param timeoutQuery the apiserver's webhook timeout as it came ({@code ?timeout=10s}, a Go duration), or null
     * @return the plan, or the plan with some rewrites left as written ({@link ImageDecision#leave})
     */
    CompletionStage<PodPlan> revise(ReviewContext context, PodPlan plan, String timeoutQuery);
}

package io.acrcache.webhook.admission;

/**
 * The first half of handling a review: either it is already answered (not a Pod in scope, or a failure), or there is a
 * Pod plan to answer with {@link AdmissionReviewHandler#answer}, possibly after revising it.
 */
public sealed interface ReviewPlan {

    /** Nothing to plan: this is the answer. */
    record Answered(AdmissionResult result) implements ReviewPlan {}

    /** A Pod in scope and the decisions for its images, not yet answered. */
    record Planned(ReviewContext context, PodPlan plan) implements ReviewPlan {}
}

package io.acrcache.webhook.admission;

import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The port between plan and answer: one call in, one answer out, and a reviser's failure never blocks a Pod. */
class PlanReviserTest {
    private final AtomicInteger asked = new AtomicInteger();

    private CompletionStage<AdmissionResult> review(PlanReviser reviser, boolean revise, String... images)
            throws Exception {
        byte[] body = Reviews.create(TestPods.withImages(images)).getBytes(StandardCharsets.UTF_8);
        PlanReviser counting = reviser == null
                ? null
                : (context, plan, timeout) -> {
                    asked.incrementAndGet();
                    return reviser.revise(context, plan, timeout);
                };
        return new AdmissionReviewHandler(TestConfigs::defaults, counting)
                .review(body, 0, body.length, null, revise, "10s");
    }

    private static AdmissionResponse now(CompletionStage<AdmissionResult> answer) {
        CompletableFuture<AdmissionResult> f = answer.toCompletableFuture();
        assertTrue(f.isDone(), "answered at once");
        return Reviews.answer(f.join().body()).getResponse();
    }

    /** Withdraws the last rewrite of every plan. */
    private static final PlanReviser LEAVE_LAST = (context, plan, timeout) -> {
        List<ImageDecision> d = new ArrayList<>(plan.decisions());
        d.set(d.size() - 1, d.get(d.size() - 1).leave(SkipReason.GUARD_NOT_SERVABLE));
        return CompletableFuture.completedFuture(plan.withDecisions(d));
    };

    @Test
    void aRevisedPlanIsWhatIsAnswered() throws Exception {
        Pod pod = TestPods.withImages("nginx:1.25", "redis:7");
        AdmissionResponse r = now(review(LEAVE_LAST, true, "nginx:1.25", "redis:7"));
        Pod patched = Reviews.apply(pod, r.getPatch());
        assertEquals(
                "myacr.azurecr.io/docker/library/nginx:1.25",
                patched.getSpec().getContainers().get(0).getImage());
        assertEquals("redis:7", patched.getSpec().getContainers().get(1).getImage());
        assertEquals(1, asked.get());
    }

    @Test
    void aReviserThatAnswersLaterIsWaitedFor() throws Exception {
        CompletableFuture<PodPlan> later = new CompletableFuture<>();
        CompletionStage<AdmissionResult> answer = review((c, p, t) -> later, true, "nginx:1.25");
        assertFalse(answer.toCompletableFuture().isDone());
        later.completeExceptionally(new IllegalStateException("probe broke"));
        AdmissionResponse r =
                Reviews.answer(answer.toCompletableFuture().join().body()).getResponse();
        assertTrue(r.getAllowed());
        assertNull(r.getPatch(), "a failed reviser answers the review unchanged");
        assertEquals(
                List.of("acr-cache-webhook: internal error, Pod admitted with its images unchanged"), r.getWarnings());
    }

    @Test
    void aReviserThatThrowsAdmitsUnchanged() throws Exception {
        AdmissionResponse r = now(review(
                (c, p, t) -> {
                    throw new IllegalStateException("reviser bug");
                },
                true,
                "nginx:1.25"));
        assertTrue(r.getAllowed());
        assertNull(r.getPatch());
    }

    @Test
    void theReviserIsAskedOnlyAboutPlansWithRewritesAndNotForSyntheticReviews() throws Exception {
        assertNull(now(review(LEAVE_LAST, true, "ghcr.io/x/y:1")).getPatch());
        assertEquals(0, asked.get(), "nothing to revise");
        AdmissionResponse warm = now(review(LEAVE_LAST, false, "nginx:1.25"));
        assertEquals(0, asked.get(), "revise=false");
        assertTrue(warm.getPatch() != null, "answered as planned");
        assertTrue(now(review(null, true, "nginx:1.25")).getPatch() != null, "no reviser");
    }
}

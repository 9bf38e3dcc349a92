package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How images the registry guard withdrew are answered: warnings, the guard annotation, the patch. */
class GuardAnswersTest {
    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(TestConfigs::defaults);

    /** Plans the review, withdraws the rewrites at {@code leave} with {@code why}, answers. */
    private AdmissionResponse answer(String review, Mode mode, SkipReason why, int... leave) throws Exception {
        ReviewPlan.Planned p = (ReviewPlan.Planned) handler.plan(review.getBytes(StandardCharsets.UTF_8), mode);
        List<ImageDecision> revised = new ArrayList<>(p.plan().decisions());
        for (int i : leave) {
            revised.set(i, revised.get(i).leave(why));
        }
        AdmissionResult r = handler.answer(p.context(), p.plan().withDecisions(revised));
        return Reviews.answer(r.body()).getResponse();
    }

    @Test
    void aWithdrawnImageKeepsItsImageAndTheAnnotationSaysWhyBesideTheOriginals() throws Exception {
        Pod pod = TestPods.withImages("nginx:1.25", "redis:7");
        AdmissionResponse r = answer(Reviews.create(pod), null, SkipReason.GUARD_UNVERIFIED, 1);
        Pod patched = Reviews.apply(pod, r.getPatch());
        assertEquals(
                "myacr.azurecr.io/docker/library/nginx:1.25",
                patched.getSpec().getContainers().get(0).getImage());
        assertEquals("redis:7", patched.getSpec().getContainers().get(1).getImage());
        assertEquals(
                "{\"containers/c1\":\"unverified\"}",
                patched.getMetadata().getAnnotations().get(AdmissionReviewHandler.GUARD_ANNOTATION));
        assertEquals(
                "{\"containers/c0\":\"nginx:1.25\"}",
                patched.getMetadata().getAnnotations().get(AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION));
        assertEquals(2, r.getWarnings().size());
        assertEquals(
                "acr-cache-webhook: containers \"c1\" image redis:7 left as written: the cache could not be checked"
                        + " in time (guard-unverified)",
                r.getWarnings().get(1));
    }

    @Test
    void whenTheGuardLeavesEveryImageThePatchHoldsTheAnnotationAloneAndKeepsOtherAnnotations() throws Exception {
        Pod pod = new PodBuilder(TestPods.withImages("nginx:1.25"))
                .editMetadata()
                .addToAnnotations("team", "shop")
                .endMetadata()
                .build();
        AdmissionResponse r = answer(Reviews.create(pod), null, SkipReason.GUARD_NOT_SERVABLE, 0);
        String patch = Reviews.decodePatch(r.getPatch());
        assertTrue(!patch.contains("\"replace\""), patch);
        Pod patched = Reviews.apply(pod, r.getPatch());
        assertEquals("nginx:1.25", patched.getSpec().getContainers().get(0).getImage());
        assertEquals("shop", patched.getMetadata().getAnnotations().get("team"));
        assertEquals(
                "{\"containers/c0\":\"not-servable\"}",
                patched.getMetadata().getAnnotations().get(AdmissionReviewHandler.GUARD_ANNOTATION));
    }

    @Test
    void theEphemeralContainersSubresourceGetsWarningsButNoAnnotation() throws Exception {
        Pod old = TestPods.withImages("nginx:1.25");
        Pod updated = new PodBuilder(old)
                .editSpec()
                .addToEphemeralContainers(new io.fabric8.kubernetes.api.model.EphemeralContainerBuilder()
                        .withName("debugger")
                        .withImage("nicolaka/netshoot")
                        .build())
                .endSpec()
                .build();
        AdmissionResponse r = answer(
                Reviews.review(updated, old, "UPDATE", "ephemeralcontainers", false),
                null,
                SkipReason.GUARD_UNVERIFIED,
                0);
        assertNull(r.getPatch(), "metadata may not change through this subresource");
        assertEquals(1, r.getWarnings().size());
        assertTrue(r.getWarnings().get(0).contains("\"debugger\" image nicolaka/netshoot left as written"));
    }

    @Test
    void auditModeWarnsAndPatchesNothing() throws Exception {
        AdmissionResponse r =
                answer(Reviews.create(TestPods.withImages("nginx:1.25")), Mode.AUDIT, SkipReason.GUARD_UNHEALTHY, 0);
        assertNull(r.getPatch());
        assertEquals(
                List.of("acr-cache-webhook (audit, not applied): containers \"c0\" image nginx:1.25 left as written:"
                        + " the cache answered with an error (guard-unhealthy)"),
                r.getWarnings());
    }

    @Test
    void warningsStayBoundedWithRewritesAndGuardedImagesTogether() throws Exception {
        String[] images = new String[14];
        for (int i = 0; i < images.length; i++) {
            images[i] = "img" + i + ":1";
        }
        AdmissionResponse r = answer(
                Reviews.create(TestPods.withImages(images)), null, SkipReason.GUARD_UNVERIFIED, 0, 2, 4, 6, 8, 10, 12);
        assertEquals(AdmissionReviewHandler.MAX_WARNINGS + 1, r.getWarnings().size());
        assertTrue(
                r.getWarnings().get(10).contains("4 more images rewritten or left by the registry guard"),
                r.getWarnings().get(10));
    }

    @Test
    void guardLabelsAreTheBoundedSkipReasonsAndOnlyThose() {
        assertEquals(SkipReason.GUARD_NOT_SERVABLE, SkipReason.guard("guard-not-servable"));
        assertEquals(SkipReason.GUARD_UNHEALTHY, SkipReason.guard("guard-unhealthy"));
        assertEquals(SkipReason.GUARD_UNVERIFIED, SkipReason.guard("guard-unverified"));
        assertNull(SkipReason.guard("no-rule"));
        assertNull(SkipReason.NO_RULE.guardState());
    }
}

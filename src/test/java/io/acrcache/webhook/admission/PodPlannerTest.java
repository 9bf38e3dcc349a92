package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodPlannerTest {
    private final LoadedConfig config = TestConfigs.defaults();

    private static PodView pod(PodView.Annotations annotations, PodView.ContainerView... containers) {
        return new PodView(
                new PodView.Metadata(PodView.Shape.OBJECT, "p", "", annotations),
                Arrays.asList(List.of(containers), null, null));
    }

    private static PodView.ContainerView container(String name, String image) {
        return new PodView.ContainerView(name, image, null);
    }

    private static PodView withEphemeral(PodView.ContainerView... containers) {
        return new PodView(PodView.Metadata.ABSENT, Arrays.asList(null, null, List.of(containers)));
    }

    @Test
    void eachImageGetsItsOwnDecisionWithTheParsedReference() {
        PodPlan plan = PodPlanner.forCreate(
                config,
                "apps",
                pod(
                        PodView.Annotations.ABSENT,
                        container("web", "nginx:1.25"),
                        container("tool", "ghcr.io/org/tool:1"),
                        new PodView.ContainerView("local", "nginx", "Never")));
        assertNull(plan.podSkip());
        assertTrue(plan.hasRewrites());
        ImageDecision web = plan.decisions().get(0);
        assertEquals("myacr.azurecr.io/docker/library/nginx:1.25", web.rewritten());
        assertEquals("1.25", web.reference().tag());
        assertEquals(SkipReason.NO_RULE, plan.decisions().get(1).skipReason());
        assertNotNull(plan.decisions().get(1).reference());
        assertEquals(SkipReason.PULL_POLICY_NEVER, plan.decisions().get(2).skipReason());
        assertNull(plan.decisions().get(2).reference());
    }

    @Test
    void aPodLevelSkipWinsOverEveryImage() {
        PodView optedOut = pod(
                new PodView.Annotations(PodView.Shape.OBJECT, true, " TRUE ", false, null), container("web", "nginx"));
        PodPlan mirror = PodPlanner.forCreate(config, "apps", optedOut);
        assertEquals(SkipReason.MIRROR_POD, mirror.podSkip(), "mirror is checked before the opt-out");
        PodPlan excluded = PodPlanner.forCreate(config, "kube-system", optedOut);
        assertEquals(SkipReason.EXCLUDED_NAMESPACE, excluded.podSkip());
        assertEquals(
                List.of(SkipReason.EXCLUDED_NAMESPACE),
                excluded.decisions().stream().map(ImageDecision::skipReason).toList());
        PodPlan opted = PodPlanner.forCreate(
                config,
                "apps",
                pod(
                        new PodView.Annotations(PodView.Shape.OBJECT, false, " TRUE ", false, null),
                        container("w", "nginx")));
        assertEquals(SkipReason.OPTED_OUT, opted.podSkip());
        assertFalse(opted.hasRewrites());
    }

    @Test
    void anEphemeralUpdatePlansOnlyNewOrChangedEphemeralContainers() {
        PodView old = withEphemeral(container("a", "busybox"), container("b", "alpine"));
        PodView updated =
                withEphemeral(container("a", "busybox"), container("b", "alpine:3.19"), container("c", "nginx"));
        PodPlan plan = PodPlanner.forEphemeralUpdate(config, "apps", updated, old);
        assertEquals(
                List.of(1, 2),
                plan.decisions().stream().map(ImageDecision::index).toList());
        assertTrue(plan.decisions().stream().allMatch(ImageDecision::isRewrite));
    }

    @Test
    void aRewriteCanBeWithdrawnAndThePlanRevised() {
        PodPlan plan = PodPlanner.forCreate(
                config, "apps", pod(PodView.Annotations.ABSENT, container("web", "nginx"), container("db", "redis")));
        ImageDecision web = plan.decisions().get(0);
        ImageDecision left = web.leave(SkipReason.NO_RULE);
        assertFalse(left.isRewrite());
        assertNull(left.rewritten());
        assertNull(left.match());
        assertEquals(SkipReason.NO_RULE, left.skipReason());
        assertEquals(web.original(), left.original());
        assertEquals(web.reference(), left.reference());
        assertEquals(web.annotationKey(), left.annotationKey());
        assertThrows(NullPointerException.class, () -> web.leave(null));

        PodPlan revised = plan.withDecisions(List.of(left, plan.decisions().get(1)));
        assertEquals(plan.podSkip(), revised.podSkip());
        assertTrue(revised.hasRewrites());
        assertFalse(plan.withDecisions(List.of(left)).hasRewrites());
        assertTrue(plan.decisions().get(0).isRewrite(), "the original plan is not changed");
        assertThrows(
                UnsupportedOperationException.class, () -> revised.decisions().clear());
    }
}

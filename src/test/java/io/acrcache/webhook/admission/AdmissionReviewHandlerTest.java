package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.testing.Resources;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdmissionReviewHandlerTest {
    private static final String ANNOTATION = AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION;
    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(TestConfigs::defaults);

    private static Pod pod(String... images) {
        return TestPods.withImages(images);
    }

    private AdmissionResult send(String review) throws MalformedReviewException {
        return handler.handle(review.getBytes(StandardCharsets.UTF_8), null);
    }

    private static AdmissionResponse response(AdmissionResult r) {
        AdmissionReview review = Reviews.answer(r.body());
        assertEquals("admission.k8s.io/v1", review.getApiVersion());
        assertEquals("AdmissionReview", review.getKind());
        assertNull(review.getRequest(), "the answer must not echo the request");
        return review.getResponse();
    }

    private static List<String> images(Pod pod) {
        return pod.getSpec().getContainers().stream().map(Container::getImage).toList();
    }

    @Test
    void rewritesEveryDockerHubImageAndRecordsTheOriginals() throws Exception {
        Pod pod = pod(
                "nginx:1.25", "bitnami/redis:7.2", "ghcr.io/org/app:1", "myacr.azurecr.io/docker/library/nginx:1.25");
        String review = Reviews.create(pod);
        AdmissionResult result = send(review);
        AdmissionResponse response = response(result);
        assertEquals(Reviews.uid(review), response.getUid());
        assertTrue(response.getAllowed());
        assertEquals("JSONPatch", response.getPatchType());
        assertEquals(Outcome.PATCHED, result.outcome());

        Pod patched = Reviews.apply(pod, response.getPatch());
        assertEquals(
                List.of(
                        "myacr.azurecr.io/docker/library/nginx:1.25",
                        "myacr.azurecr.io/docker/bitnami/redis:7.2",
                        "ghcr.io/org/app:1",
                        "myacr.azurecr.io/docker/library/nginx:1.25"),
                images(patched));
        Map<?, ?> originals = JsonMapper.builder()
                .build()
                .readValue(patched.getMetadata().getAnnotations().get(ANNOTATION), Map.class);
        assertEquals(Map.of("containers/c0", "nginx:1.25", "containers/c1", "bitnami/redis:7.2"), originals);
        assertEquals(
                List.of(
                        "acr-cache-webhook: containers \"c0\" image nginx:1.25 -> myacr.azurecr.io/docker/library/nginx:1.25",
                        "acr-cache-webhook: containers \"c1\" image bitnami/redis:7.2 -> myacr.azurecr.io/docker/bitnami/redis:7.2"),
                response.getWarnings());
        assertEquals(
                List.of(SkipReason.NO_RULE, SkipReason.ALREADY_CACHED),
                result.decisions().stream()
                        .filter(d -> !d.isRewrite())
                        .map(ImageDecision::skipReason)
                        .toList());
    }

    @Test
    void existingAnnotationsSurviveAndPointerTokensAreEscaped() throws Exception {
        Pod pod = new PodBuilder(pod("nginx"))
                .editMetadata()
                .addToAnnotations("team.example.com/owner", "platform")
                .addToAnnotations("odd~key/with~slashes", "x")
                .endMetadata()
                .build();
        AdmissionResponse response = response(send(Reviews.create(pod)));
        String patch = Reviews.decodePatch(response.getPatch());
        assertTrue(patch.contains("\"/metadata/annotations/acr-cache-webhook.io~1original-images\""), patch);
        Pod patched = Reviews.apply(pod, response.getPatch());
        Map<String, String> annotations = patched.getMetadata().getAnnotations();
        assertEquals("platform", annotations.get("team.example.com/owner"));
        assertEquals("x", annotations.get("odd~key/with~slashes"));
        assertEquals("{\"containers/c0\":\"nginx\"}", annotations.get(ANNOTATION));
    }

    @Test
    void reinvocationOnTheRewrittenPodYieldsNoPatch() throws Exception {
        Pod pod = pod("nginx:1.25");
        Pod once = Reviews.apply(pod, response(send(Reviews.create(pod))).getPatch());
        AdmissionResult again = send(Reviews.create(once));
        assertNull(response(again).getPatch());
        assertNull(response(again).getPatchType());
        assertEquals(Outcome.UNCHANGED, again.outcome());
    }

    @Test
    void reinvocationAfterAnotherWebhookAddedAnImageKeepsTheFirstOriginals() throws Exception {
        Pod pod = pod("nginx:1.25");
        Pod once = Reviews.apply(pod, response(send(Reviews.create(pod))).getPatch());
        Pod changed = new PodBuilder(once)
                .editSpec()
                .addNewContainer()
                .withName("injected")
                .withImage("envoyproxy/envoy:v1.30")
                .endContainer()
                .endSpec()
                .build();
        Pod twice =
                Reviews.apply(changed, response(send(Reviews.create(changed))).getPatch());
        assertEquals(
                "myacr.azurecr.io/docker/envoyproxy/envoy:v1.30",
                twice.getSpec().getContainers().get(1).getImage());
        assertEquals(
                "{\"containers/c0\":\"nginx:1.25\",\"containers/injected\":\"envoyproxy/envoy:v1.30\"}",
                twice.getMetadata().getAnnotations().get(ANNOTATION));
    }

    @Test
    void initAndEphemeralContainersAreRewrittenOnCreate() throws Exception {
        Pod pod = new PodBuilder(pod("nginx"))
                .editSpec()
                .addNewInitContainer()
                .withName("init")
                .withImage("busybox:1.36")
                .endInitContainer()
                .addToEphemeralContainers(new EphemeralContainerBuilder()
                        .withName("dbg")
                        .withImage("alpine")
                        .build())
                .endSpec()
                .build();
        Pod patched = Reviews.apply(pod, response(send(Reviews.create(pod))).getPatch());
        assertEquals(
                "myacr.azurecr.io/docker/library/busybox:1.36",
                patched.getSpec().getInitContainers().get(0).getImage());
        assertEquals(
                "myacr.azurecr.io/docker/library/alpine",
                patched.getSpec().getEphemeralContainers().get(0).getImage());
    }

    @Test
    void ephemeralContainerUpdateRewritesOnlyTheNewImageAndLeavesMetadataAlone() throws Exception {
        Pod old = new PodBuilder(pod("nginx:1.25"))
                .editSpec()
                .addToEphemeralContainers(new EphemeralContainerBuilder()
                        .withName("first")
                        .withImage("busybox")
                        .build())
                .endSpec()
                .build();
        Pod updated = new PodBuilder(old)
                .editSpec()
                .addToEphemeralContainers(new EphemeralContainerBuilder()
                        .withName("debugger")
                        .withImage("nicolaka/netshoot")
                        .build())
                .endSpec()
                .build();
        AdmissionResult result = send(Reviews.review(updated, old, "UPDATE", "ephemeralcontainers", false));
        AdmissionResponse response = response(result);
        String patch = Reviews.decodePatch(response.getPatch());
        assertEquals(
                "[{\"op\":\"replace\",\"path\":\"/spec/ephemeralContainers/1/image\","
                        + "\"value\":\"myacr.azurecr.io/docker/nicolaka/netshoot\"}]",
                patch);
        Pod patched = Reviews.apply(updated, response.getPatch());
        assertEquals(
                "busybox", patched.getSpec().getEphemeralContainers().get(0).getImage());
        assertEquals("nginx:1.25", patched.getSpec().getContainers().get(0).getImage());
        assertEquals(1, result.decisions().size());
    }

    @Test
    void podLevelSkipsAreCountedPerImage() throws Exception {
        Pod optedOut = new PodBuilder(pod("nginx", "redis"))
                .editMetadata()
                .addToAnnotations("acr-cache-webhook.io/skip", "true")
                .endMetadata()
                .build();
        Pod mirror = new PodBuilder(pod("nginx"))
                .editMetadata()
                .addToAnnotations("kubernetes.io/config.mirror", "abc")
                .endMetadata()
                .build();
        Pod system = new PodBuilder(pod("nginx"))
                .editMetadata()
                .withNamespace("kube-system")
                .endMetadata()
                .build();
        for (Object[] row : new Object[][] {
            {optedOut, SkipReason.OPTED_OUT, 2},
            {mirror, SkipReason.MIRROR_POD, 1},
            {system, SkipReason.EXCLUDED_NAMESPACE, 1}
        }) {
            AdmissionResult r = send(Reviews.create((Pod) row[0]));
            assertNull(response(r).getPatch());
            assertEquals(Outcome.SKIPPED, r.outcome());
            assertEquals(row[2], r.decisions().size());
            assertTrue(
                    r.decisions().stream().allMatch(d -> d.skipReason() == row[1]),
                    r.decisions().toString());
        }
    }

    @Test
    void imagesWithPullPolicyNeverOrInvalidReferencesAreLeftAlone() throws Exception {
        Pod pod = new PodBuilder(pod("nginx", "Nginx:Latest", ""))
                .editSpec()
                .editContainer(0)
                .withImagePullPolicy("Never")
                .endContainer()
                .endSpec()
                .build();
        AdmissionResult r = send(Reviews.create(pod));
        assertNull(response(r).getPatch());
        assertEquals(Outcome.UNCHANGED, r.outcome());
        assertEquals(
                List.of(SkipReason.PULL_POLICY_NEVER, SkipReason.INVALID_REFERENCE, SkipReason.INVALID_REFERENCE),
                r.decisions().stream().map(ImageDecision::skipReason).toList());
    }

    @Test
    void auditModeWarnsButNeverPatches() throws Exception {
        AdmissionResult configured = new AdmissionReviewHandler(() -> TestConfigs.yaml("mode: audit"))
                .handle(Reviews.create(pod("nginx")).getBytes(StandardCharsets.UTF_8), null);
        AdmissionResult forced =
                handler.handle(Reviews.create(pod("nginx")).getBytes(StandardCharsets.UTF_8), Mode.AUDIT);
        for (AdmissionResult r : List.of(configured, forced)) {
            AdmissionResponse response = response(r);
            assertNull(response.getPatch());
            assertEquals(
                    List.of("acr-cache-webhook (audit, not applied): containers \"c0\" image nginx -> "
                            + "myacr.azurecr.io/docker/library/nginx"),
                    response.getWarnings());
            assertEquals(Mode.AUDIT, r.mode());
            assertEquals(Outcome.UNCHANGED, r.outcome());
        }
    }

    @Test
    void dryRunGetsTheSamePatchAndIsMarked() throws Exception {
        Pod pod = pod("nginx");
        AdmissionResult r = send(Reviews.review(pod, null, "CREATE", null, true));
        assertTrue(r.dryRun());
        assertEquals(
                "myacr.azurecr.io/docker/library/nginx",
                Reviews.apply(pod, response(r).getPatch())
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage());
    }

    @Test
    void otherOperationsAndKindsAreAllowedUntouched() throws Exception {
        Pod pod = pod("nginx");
        for (String[] opSub :
                new String[][] {{"UPDATE", null}, {"DELETE", null}, {"CREATE", "binding"}, {"UPDATE", "status"}}) {
            AdmissionResult r = send(Reviews.review(pod, pod, opSub[0], opSub[1], false));
            assertNull(response(r).getPatch(), String.join(",", opSub[0], String.valueOf(opSub[1])));
            assertTrue(response(r).getAllowed());
            assertEquals(Outcome.SKIPPED, r.outcome());
        }
        tools.jackson.databind.node.ObjectNode tree = (tools.jackson.databind.node.ObjectNode)
                JsonMapper.builder().build().readTree(Reviews.create(pod));
        ((tools.jackson.databind.node.ObjectNode) tree.path("request").path("kind"))
                .put("group", "apps")
                .put("kind", "Deployment");
        String deployment = tree.toString();
        AdmissionResult r = send(deployment);
        assertEquals(Outcome.SKIPPED, r.outcome());
    }

    @Test
    void manyRewritesAreSummarisedInWarnings() throws Exception {
        String[] images = new String[25];
        java.util.Arrays.fill(images, "nginx");
        AdmissionResponse response = response(send(Reviews.create(pod(images))));
        assertEquals(
                AdmissionReviewHandler.MAX_WARNINGS + 1, response.getWarnings().size());
        assertTrue(
                response.getWarnings().get(10).contains("15 more images rewritten"),
                response.getWarnings().get(10));
    }

    @Test
    void aMemberGivenTwiceCountsOnceTheLastTimeAsKubeApiserverReadsIt() throws Exception {
        String review = Reviews.create(pod("nginx"));
        // the uid given twice: the answer carries the last one
        String twice = review.replaceFirst("\"request\":\\{", "\"request\":{\"uid\":\"first\",");
        assertTrue(twice.contains("\"uid\":\"first\"") && twice.indexOf("\"uid\"") != twice.lastIndexOf("\"uid\""));
        assertEquals(Reviews.uid(review), response(send(twice)).getUid());
    }

    @Test
    void aMemberOfAnUnexpectedTypeIsSkippedWholeAndTheMembersAfterItStillCount() throws Exception {
        tools.jackson.databind.node.ObjectNode tree = (tools.jackson.databind.node.ObjectNode)
                JsonMapper.builder().build().readTree(Reviews.create(pod("nginx")));
        tools.jackson.databind.node.ObjectNode object =
                (tools.jackson.databind.node.ObjectNode) tree.path("request").path("object");
        tools.jackson.databind.node.ObjectNode metadata = object.putObject("metadata");
        // a name that is an object (invalid, but it must not make the reader lose its place), then the opt-out
        metadata.putObject("name").putObject("nested").put("spec", 1);
        metadata.putObject("annotations").put("acr-cache-webhook.io/skip", "true");
        AdmissionResult r = send(tree.toString());
        assertEquals(Outcome.SKIPPED, r.outcome());
        assertEquals(SkipReason.OPTED_OUT, r.decisions().get(0).skipReason());
    }

    @Test
    void internalFailureFailsOpenWithAWarning() throws Exception {
        LoadedConfig broken = new LoadedConfig(
                TestConfigs.defaults().settings(), null, TestConfigs.defaults().parser(), List.of());
        AdmissionResult r = new AdmissionReviewHandler(() -> broken)
                .handle(Reviews.create(pod("nginx")).getBytes(StandardCharsets.UTF_8), null);
        AdmissionResponse response = response(r);
        assertTrue(response.getAllowed());
        assertNull(response.getPatch());
        assertEquals(
                List.of("acr-cache-webhook: internal error, Pod admitted with its images unchanged"),
                response.getWarnings());
        assertEquals(Outcome.ERROR, r.outcome());
        assertNotNull(r.error());
    }

    @Test
    void planThenAnswerLetsACallerWithdrawRewritesInBetween() throws Exception {
        Pod pod = pod("nginx:1.25", "bitnami/redis:7.2");
        byte[] body = Reviews.create(pod).getBytes(StandardCharsets.UTF_8);
        ReviewPlan.Planned planned = assertInstanceOf(ReviewPlan.Planned.class, handler.plan(body, null));
        assertEquals("apps", planned.context().namespace());
        assertEquals("p", planned.context().podName());
        assertEquals("CREATE", planned.context().operation());
        assertEquals(Mode.ENFORCE, planned.context().mode());

        // the second image withdrawn, as a registry check would
        List<ImageDecision> decisions = planned.plan().decisions();
        PodPlan revised = planned.plan()
                .withDecisions(List.of(decisions.get(0), decisions.get(1).leave(SkipReason.NO_RULE)));
        AdmissionResult result = handler.answer(planned.context(), revised);
        assertEquals(Outcome.PATCHED, result.outcome());
        Pod patched = Reviews.apply(pod, response(result).getPatch());
        assertEquals(List.of("myacr.azurecr.io/docker/library/nginx:1.25", "bitnami/redis:7.2"), images(patched));
        assertEquals(1, response(result).getWarnings().size());

        PodPlan none = planned.plan()
                .withDecisions(
                        decisions.stream().map(d -> d.leave(SkipReason.NO_RULE)).toList());
        AdmissionResult unchanged = handler.answer(planned.context(), none);
        assertEquals(Outcome.UNCHANGED, unchanged.outcome());
        assertNull(response(unchanged).getPatch());

        // the same review handled in one go is the plan answered as it was
        assertEquals(
                response(handler.answer(planned.context(), planned.plan())).getPatch(),
                response(handler.handle(body, null)).getPatch());
    }

    @Test
    void thePatchIsStandardBase64WithPadding() throws Exception {
        for (String image : List.of("nginx", "nginx:1", "bitnami/redis:7.2.4", "a/b/c:d")) {
            AdmissionResult r = send(Reviews.create(pod(image)));
            String patch = response(r).getPatch();
            byte[] decoded = java.util.Base64.getDecoder().decode(patch);
            assertEquals(java.util.Base64.getEncoder().encodeToString(decoded), patch, image);
        }
    }

    @Test
    void aReviewInsideALargerBufferIsReadFromItsWindowOnly() throws Exception {
        byte[] review = Reviews.create(pod("nginx:1.25")).getBytes(StandardCharsets.UTF_8);
        byte[] prefix = "garbage {\"apiVersion\":".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "} trailing garbage".getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[prefix.length + review.length + suffix.length];
        System.arraycopy(prefix, 0, buffer, 0, prefix.length);
        System.arraycopy(review, 0, buffer, prefix.length, review.length);
        System.arraycopy(suffix, 0, buffer, prefix.length + review.length, suffix.length);

        AdmissionResult windowed = handler.handle(buffer, prefix.length, review.length, null);
        assertEquals(Outcome.PATCHED, windowed.outcome());
        assertEquals(
                new String(handler.handle(review, null).body(), StandardCharsets.UTF_8),
                new String(windowed.body(), StandardCharsets.UTF_8));
        // one byte short is a truncated document, refused like any other
        assertThrows(
                MalformedReviewException.class, () -> handler.handle(buffer, prefix.length, review.length - 1, null));
    }

    @Test
    void reviewsThatNeedNoPlanAreAnsweredAtOnce() throws Exception {
        Pod pod = pod("nginx");
        ReviewPlan.Answered delete = assertInstanceOf(
                ReviewPlan.Answered.class,
                handler.plan(Reviews.review(pod, pod, "DELETE", null, false).getBytes(StandardCharsets.UTF_8), null));
        assertEquals(Outcome.SKIPPED, delete.result().outcome());
        Pod system = new PodBuilder(pod)
                .editMetadata()
                .withNamespace("kube-system")
                .endMetadata()
                .build();
        ReviewPlan.Answered excluded = assertInstanceOf(
                ReviewPlan.Answered.class, handler.plan(Reviews.create(system).getBytes(StandardCharsets.UTF_8), null));
        assertEquals(Outcome.SKIPPED, excluded.result().outcome());
        assertEquals(
                SkipReason.EXCLUDED_NAMESPACE,
                excluded.result().decisions().get(0).skipReason());
    }

    @Test
    void aFailureWhileAnsweringFailsOpenToo() throws Exception {
        ReviewPlan.Planned planned = assertInstanceOf(
                ReviewPlan.Planned.class,
                handler.plan(Reviews.create(pod("nginx")).getBytes(StandardCharsets.UTF_8), null));
        // a context that lost its Pod: the patch cannot be built
        ReviewContext broken =
                new ReviewContext(planned.context().uid(), "CREATE", Mode.ENFORCE, false, "apps", "p", null, false);
        AdmissionResult r = handler.answer(broken, planned.plan());
        assertEquals(Outcome.ERROR, r.outcome());
        assertNotNull(r.error());
        AdmissionResponse response = response(r);
        assertTrue(response.getAllowed());
        assertNull(response.getPatch());
        assertEquals(planned.context().uid(), response.getUid());
    }

    /** A body that is not an AdmissionReview, and the words its refusal must contain. */
    record Malformed(String body, String refusal) {}

    @Test
    void malformedBodiesAreRefusedWithAReason() {
        List<Malformed> cases =
                Resources.json("admission/malformed-reviews.json", new TypeReference<List<Malformed>>() {});
        assertEquals(7, cases.size());
        for (Malformed c : cases) {
            MalformedReviewException e = assertThrows(
                    MalformedReviewException.class,
                    () -> handler.handle(c.body().getBytes(StandardCharsets.UTF_8), null),
                    c.body());
            assertTrue(e.getMessage().contains(c.refusal()), c.body() + " -> " + e.getMessage());
        }
    }
}

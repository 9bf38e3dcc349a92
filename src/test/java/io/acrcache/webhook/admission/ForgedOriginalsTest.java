package io.acrcache.webhook.admission;

import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The original-images annotation a Pod brings with it is believed only where it holds: a user cannot pre-set it to lie
 * about where an image came from, and a reinvocation after another webhook keeps the first pass's record.
 */
class ForgedOriginalsTest {
    private static final String KEY = AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION;
    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(TestConfigs::defaults);

    private static Pod withRecord(String record, String... images) {
        return new PodBuilder(TestPods.withImages(images))
                .editMetadata()
                .addToAnnotations(KEY, record)
                .addToAnnotations("team", "web")
                .endMetadata()
                .build();
    }

    /** The Pod as the API server stores it after our answer. */
    private Pod admitted(Pod pod) throws Exception {
        AdmissionResult result = handler.handle(Reviews.create(pod).getBytes(StandardCharsets.UTF_8), null);
        AdmissionResponse r = Reviews.answer(result.body()).getResponse();
        return r.getPatch() == null ? pod : Reviews.apply(pod, r.getPatch());
    }

    @Test
    void aLyingRecordIsReplacedWithTheTruthWhenTheImageIsRewritten() throws Exception {
        Pod pod = withRecord("{\"containers/c0\":\"innocent/tool:1\"}", "nginx:1.25");
        Pod out = admitted(pod);
        assertEquals(
                "myacr.azurecr.io/docker/library/nginx:1.25",
                out.getSpec().getContainers().get(0).getImage());
        assertEquals(
                "{\"containers/c0\":\"nginx:1.25\"}",
                out.getMetadata().getAnnotations().get(KEY));
        assertEquals("web", out.getMetadata().getAnnotations().get("team"), "other annotations survive");
    }

    @Test
    void aRecordForAnImageWeDidNotRewriteIsEmptied() throws Exception {
        // claims the private image came from Docker Hub through the cache; nothing here is rewritten
        Pod out = admitted(withRecord("{\"containers/c0\":\"nginx:1.25\"}", "evil.example/x:1"));
        assertEquals("evil.example/x:1", out.getSpec().getContainers().get(0).getImage());
        assertEquals("{}", out.getMetadata().getAnnotations().get(KEY), "the lie is gone: nothing was rewritten");
        assertEquals("web", out.getMetadata().getAnnotations().get("team"));
    }

    @Test
    void entriesForContainersThatDoNotExistOrDoNotMatchAreDroppedAndTheTrueOnesKept() throws Exception {
        Pod pod = withRecord(
                "{\"containers/c0\":\"nginx:1.25\",\"containers/c1\":\"redis:6\",\"containers/ghost\":\"busybox\"}",
                "myacr.azurecr.io/docker/library/nginx:1.25",
                "myacr.azurecr.io/docker/library/redis:7");
        Pod out = admitted(pod);
        assertEquals(
                "{\"containers/c0\":\"nginx:1.25\"}",
                out.getMetadata().getAnnotations().get(KEY));
    }

    @Test
    void aRecordThatIsNotOneIsEmptied() throws Exception {
        Pod out = admitted(withRecord("not json", "ghcr.io/x/y:1"));
        assertEquals("{}", out.getMetadata().getAnnotations().get(KEY));
    }

    @Test
    void aReinvocationKeepsTheFirstPassRecordAndChangesNothing() throws Exception {
        Pod first = admitted(TestPods.withImages("nginx:1.25", "ghcr.io/x/y:1"));
        String record = first.getMetadata().getAnnotations().get(KEY);
        assertEquals("{\"containers/c0\":\"nginx:1.25\"}", record);
        AdmissionResult again = handler.handle(Reviews.create(first).getBytes(StandardCharsets.UTF_8), null);
        assertNull(Reviews.answer(again.body()).getResponse().getPatch(), "a true record needs no patch");
    }

    @Test
    void aReinvocationAfterAnotherWebhookChangedTheImageRecordsTheNewOriginal() throws Exception {
        Pod first = admitted(TestPods.withImages("nginx:1.25"));
        // another webhook pins a different tag from Docker Hub; we rewrite again and record what we really rewrote
        Pod changed = new PodBuilder(first)
                .editSpec()
                .editContainer(0)
                .withImage("nginx:1.27")
                .endContainer()
                .endSpec()
                .build();
        Pod out = admitted(changed);
        assertEquals(
                "myacr.azurecr.io/docker/library/nginx:1.27",
                out.getSpec().getContainers().get(0).getImage());
        assertEquals(
                "{\"containers/c0\":\"nginx:1.27\"}",
                out.getMetadata().getAnnotations().get(KEY));
    }
}

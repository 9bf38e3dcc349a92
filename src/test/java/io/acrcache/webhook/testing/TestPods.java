package io.acrcache.webhook.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Pods for admission tests, built with Fabric8's typed builders. */
public final class TestPods {
    private TestPods() {}

    /** Pod {@code apps/p} with one container per image, named {@code c0}, {@code c1}, ... */
    public static Pod withImages(String... images) {
        PodBuilder b = new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .withNamespace("apps")
                .endMetadata()
                .withNewSpec()
                .endSpec();
        for (int i = 0; i < images.length; i++) {
            b.editSpec()
                    .addNewContainer()
                    .withName("c" + i)
                    .withImage(images[i])
                    .endContainer()
                    .endSpec();
        }
        return b.build();
    }
}

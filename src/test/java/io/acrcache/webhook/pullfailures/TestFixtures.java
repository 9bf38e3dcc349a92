package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.testing.Resources;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import tools.jackson.core.type.TypeReference;

import java.time.Instant;
import java.util.Map;

/** The configuration and kubelet-shaped Events shared by the pull-failure tests. */
final class TestFixtures {
    static final String LOGIN = "myacr.azurecr.io";

    /** Docker Hub through a wildcard rule, one static rule, and a Quay wildcard. */
    static final String CONFIG = """
            acrLoginServer: myacr.azurecr.io
            excludedNamespaces: [kube-system, legacy]
            rules:
              - {name: dockerhub, source: docker.io/*, target: docker/*}
              - {name: ubuntu, source: docker.io/library/ubuntu, target: ubuntu}
              - {name: quay, source: quay.io/*, target: quay/*}
            """;

    static final String NO_RULES = "acrLoginServer: myacr.azurecr.io\nrules: []\n";

    private static final Map<String, String> MESSAGES =
            Resources.json("pullfailures/kubelet-messages.json", new TypeReference<Map<String, String>>() {});

    /** Docker Hub's own rate-limit answer, as dockerd reports it. */
    static final String DOCKER_429 = MESSAGES.get("docker-429");

    /** containerd's wording of a Docker Hub 429 for {@code redis:7}. */
    static final String CONTAINERD_429_REDIS = MESSAGES.get("containerd-429-redis-7");

    /** ACR's wording when the upstream throttled the cache rule {@code dockerhub} itself. */
    static final String ACR_SOURCE_THROTTLED = MESSAGES.get("acr-source-throttled-dockerhub");

    private TestFixtures() {}

    /** A kubelet Event as the API server stores it (core/v1, legacy recorder fields). */
    static EventBuilder kubeletEvent(
            String uid,
            String namespace,
            String pod,
            String fieldPath,
            String reason,
            String message,
            int count,
            Instant first,
            Instant last) {
        return new EventBuilder()
                .withNewMetadata()
                .withName(pod + "." + uid)
                .withNamespace(namespace)
                .withUid(uid)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("v1")
                .withKind("Pod")
                .withNamespace(namespace)
                .withName(pod)
                .withUid("pod-" + pod)
                .withFieldPath(fieldPath)
                .endInvolvedObject()
                .withReason(reason)
                .withMessage(message)
                .withType("Warning")
                .withNewSource("kubelet", "aks-nodepool1-12345678-vmss000000")
                .withCount(count)
                .withFirstTimestamp(first.toString())
                .withLastTimestamp(last.toString());
    }

    static Event failed(String uid, String namespace, String pod, String image, String error, int count, Instant at) {
        return kubeletEvent(
                        uid,
                        namespace,
                        pod,
                        "spec.containers{app}",
                        "Failed",
                        "Failed to pull image \"" + image + "\": " + error,
                        count,
                        at,
                        at)
                .build();
    }
}

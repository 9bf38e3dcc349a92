package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.config.ConfigException;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingsLoader;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;

import java.time.Instant;
import java.util.Map;

/** Configurations and kubelet-shaped Events shared by the pull-failure tests. */
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

    private TestFixtures() {}

    static LoadedConfig config() {
        return config(CONFIG, Map.of());
    }

    static LoadedConfig config(String yaml, Map<String, String> env) {
        try {
            return SettingsLoader.parse(yaml, "test", env);
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    static LoadedConfig configWithoutRules() {
        return config("acrLoginServer: myacr.azurecr.io\nrules: []\n", Map.of());
    }

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

    static final String DOCKER_429 = "rpc error: code = Unknown desc = Error response from daemon: toomanyrequests: "
            + "You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: "
            + "https://www.docker.com/increase-rate-limit";

    static String containerd429(String image) {
        return "rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/library/" + image
                + "\": failed to copy: httpReadSeeker: failed open: unexpected status code "
                + "https://registry-1.docker.io/v2/library/redis/manifests/sha256:"
                + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef: 429 Too Many Requests - "
                + "Server message: toomanyrequests: You have reached your pull rate limit. You may increase the "
                + "limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit";
    }

    static String acrSourceThrottled(String rule) {
        return "rpc error: code = Unknown desc = failed to pull and unpack image \"myacr.azurecr.io/docker/library/nginx:1.25\": "
                + "failed to resolve reference \"myacr.azurecr.io/docker/library/nginx:1.25\": unexpected status from "
                + "HEAD request to https://myacr.azurecr.io/v2/docker/library/nginx/manifests/1.25: "
                + "toomanyrequests: too many requests to source registry for cache rule '" + rule + "'";
    }
}

package io.acrcache.bench;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.Outcome;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingsLoader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one AdmissionReview every benchmark sends (a Pod of 3 containers and 1 init container, all four images on Docker
 * Hub, as kube-apiserver serializes it: compact JSON, about 5.4 KB), and the webhook configuration it is answered with.
 */
public final class Fixture {
    public static final String RESOURCE = "/bench/admission-review.json";
    public static final String LOGIN_SERVER = "myacr.azurecr.io";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private Fixture() {}

    /** The review as the API server sends it: compact JSON. */
    public static byte[] review() {
        try (InputStream in = Fixture.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            JsonNode tree = JSON.readTree(in.readAllBytes());
            return JSON.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every image string in the review: init containers first, then containers. */
    public static List<String> images() {
        JsonNode spec = JSON.readTree(review()).path("request").path("object").path("spec");
        List<String> out = new ArrayList<>();
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : spec.path(list)) {
                out.add(c.path("image").asString());
            }
        }
        return out;
    }

    /** The rules and mode of the chart's default: one wildcard rule docker.io/* to docker/*, enforce. */
    public static String rulesYaml() {
        return rulesYaml(LOGIN_SERVER);
    }

    /** {@link #rulesYaml()} for another login server (the registry guard's benchmark runs its own registry). */
    public static String rulesYaml(String loginServer) {
        return "acrLoginServer: '" + loginServer + "'\n"
                + "mode: enforce\n"
                + "rules:\n"
                + "  - source: docker.io/*\n"
                + "    target: docker/*\n";
    }

    /** The webhook's config file for a load run: TLS from files, loopback ports, no drain on stop. */
    public static String webhookYaml(String loginServer, int port, int opsPort, Path cert, Path key, String logLevel) {
        return rulesYaml(loginServer)
                + "server:\n"
                + "  host: 127.0.0.1\n"
                + "  port: " + port + "\n"
                + "  tlsCertFile: " + cert.toAbsolutePath() + "\n"
                + "  tlsKeyFile: " + key.toAbsolutePath() + "\n"
                + "ops:\n"
                + "  host: 127.0.0.1\n"
                + "  port: " + opsPort + "\n"
                + "logging:\n"
                + "  level: " + logLevel + "\n"
                + "shutdown:\n"
                + "  drainSeconds: 0\n";
    }

    /** The configuration of the pure-path benchmarks (ports do not matter there). */
    public static LoadedConfig config() {
        return config(LOGIN_SERVER);
    }

    /** {@link #config()} for another login server. */
    public static LoadedConfig config(String loginServer) {
        try {
            return SettingsLoader.parse(
                    rulesYaml(loginServer) + "server: {host: 127.0.0.1, port: 0}\nops: {host: 127.0.0.1, port: 0}\n",
                    "bench",
                    Map.of());
        } catch (Exception e) {
            throw new IllegalStateException("benchmark configuration refused: " + e.getMessage(), e);
        }
    }

    /**
     * The webhook's answer to {@link #review()}, computed by the real handler; fails unless all four images are
     * rewritten (a benchmark of a review that is not patched would measure the wrong path).
     */
    public static byte[] expectedAnswer() {
        return expectedAnswer(review(), config());
    }

    /** The answer to {@code review} under {@code config}, with the same check. */
    public static byte[] expectedAnswer(byte[] review, LoadedConfig config) {
        AdmissionResult result;
        try {
            result = new AdmissionReviewHandler(() -> config).handle(review, null);
        } catch (Exception e) {
            throw new IllegalStateException("the fixture is not a valid AdmissionReview: " + e.getMessage(), e);
        }
        long rewrites =
                result.decisions().stream().filter(ImageDecision::isRewrite).count();
        if (result.outcome() != Outcome.PATCHED || rewrites != 4) {
            throw new IllegalStateException("the fixture must have its 4 images rewritten, got " + result.outcome()
                    + " with " + rewrites + " rewrite(s): " + result.decisions());
        }
        return result.body();
    }
}

package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.server.Readiness;
import io.acrcache.webhook.testing.TestConfigs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Kubelet evidence only from the kubelet: a failed pull from the login server reaches the registry guard only when
 * Fabric8's mock API server holds a Pod that bears it out (exists, rewritten by the webhook, its own status showing the
 * image waiting on a pull error, on the node the Event names). The report itself keeps every Event.
 */
@ExtendWith(VertxExtension.class)
class KubeletEvidenceMockServerTest {
    private static final LoadedConfig CONFIG = TestConfigs.yaml(TestFixtures.CONFIG);
    static final String IMAGE = "myacr.azurecr.io/docker/library/nginx:1.25";
    static final String NODE = "aks-nodepool1-12345678-vmss000000";
    static final String FORBIDDEN = "rpc error: code = Unknown desc = failed to pull and unpack image \"" + IMAGE
            + "\": failed to resolve reference \"" + IMAGE + "\": unexpected status from HEAD request to"
            + " https://myacr.azurecr.io/v2/docker/library/nginx/manifests/1.25: 403 Forbidden";

    private KubernetesMockServer server;
    private KubernetesClient client;
    private PullFailureReporter reporter;
    private PrometheusMeterRegistry registry;
    private final List<KubeletFailure> heard = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start(Vertx vertx) {
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new WatchControlDispatcher(), false);
        server.init();
        client = server.createClient(b -> b.withHttpClientFactory(new Vertx5HttpClientFactory(vertx)));
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Readiness readiness = new Readiness();
        readiness.require(EventWatcher.READINESS);
        reporter = PullFailureReporter.start(
                vertx,
                client,
                () -> CONFIG,
                registry,
                synced -> readiness.set(EventWatcher.READINESS, synced),
                Clock.systemUTC(),
                heard::add);
        eventually("informer synced", readiness::isReady);
    }

    @AfterEach
    void stop() throws Exception {
        reporter.stop().await(30, TimeUnit.SECONDS);
        client.close();
        server.destroy();
    }

    @Test
    void aPodWhoseOwnStatusShowsTheFailureOnItsNodeIsHeard() {
        createPod(pod("web-1", NODE, true, "ImagePullBackOff", IMAGE));
        failedPull("e1", "web-1");
        eventually("heard by the guard's listener", () -> !heard.isEmpty());
        assertEquals(
                List.of(new KubeletFailure("dockerhub", IMAGE, FailureCategory.CACHE_UNAUTHORIZED, "shop/web-1", NODE)),
                heard);
        assertEquals(1.0, checks("verified"));
    }

    @Test
    void aForgedEventForAPodThatDoesNotExistIsNotHeard() {
        failedPull("e1", "ghost");
        refusedAs("no-pod");
        assertEquals(1, reporter.store().size(), "the report still shows what the Event says");
    }

    @Test
    void anEventAboutAPodTheWebhookDidNotRewriteIsNotHeard() {
        createPod(pod("web-1", NODE, false, "ErrImagePull", IMAGE));
        failedPull("e1", "web-1");
        refusedAs("not-rewritten");
    }

    @Test
    void anEventThePodsOwnStatusDoesNotBearOutIsNotHeard() {
        createPod(pod("web-1", NODE, true, "ContainerCreating", IMAGE));
        failedPull("e1", "web-1");
        refusedAs("status-disagrees");
    }

    @Test
    void anEventNamingAnotherNodeThanThePodsIsNotHeard() {
        createPod(pod("web-1", "aks-nodepool2-87654321-vmss000003", true, "ErrImagePull", IMAGE));
        failedPull("e1", "web-1");
        refusedAs("other-node");
    }

    private void refusedAs(String result) {
        eventually("checked against the Pod: " + result, () -> checks(result) >= 1.0);
        assertEquals(List.of(), heard);
    }

    private double checks(String result) {
        var counter = registry.find(PullFailureMetrics.KUBELET_CHECKS)
                .tag("result", result)
                .counter();
        return counter == null ? 0.0 : counter.count();
    }

    private void failedPull(String uid, String pod) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        client.v1()
                .events()
                .inNamespace("shop")
                .resource(TestFixtures.failed(uid, "shop", pod, IMAGE, FORBIDDEN, 1, now))
                .create();
    }

    private void createPod(Pod pod) {
        client.pods().inNamespace("shop").resource(pod).create();
    }

    /** A Pod as the API server holds it once the webhook rewrote it and its node's kubelet reported on it. */
    static Pod pod(String name, String node, boolean rewritten, String waiting, String image) {
        Map<String, String> annotations = rewritten
                ? Map.of(AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION, "{\"containers/app\":\"nginx:1.25\"}")
                : Map.of();
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("shop")
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .addNewContainer()
                .withName("app")
                .withImage(image)
                .endContainer()
                .endSpec()
                .withNewStatus()
                .addNewContainerStatus()
                .withName("app")
                .withImage(image)
                .withNewState()
                .withNewWaiting()
                .withReason(waiting)
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
    }
}

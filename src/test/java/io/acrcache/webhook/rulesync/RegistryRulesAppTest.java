package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.WebhookApp;
import io.acrcache.webhook.azure.FakeArm;
import io.acrcache.webhook.azure.FakeEntra;
import io.acrcache.webhook.azure.FakeTls;
import io.acrcache.webhook.azure.WorkloadIdentity;
import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import io.acrcache.webhook.testing.TlsClients;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole webhook ({@link WebhookApp#start}) with {@code registry.*} pointed at the fake Entra ID and ARM over TLS:
 * the registry's rules are swapped in, follow the registry's changes within one interval, survive a config reload and
 * an ARM outage; drift mode compares without swapping; without workload identity the webhook still becomes ready and
 * says why the sync fails. The rules are exactly the ones {@code GET /rules} shows.
 */
class RegistryRulesAppTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int INTERVAL_SECONDS = 5;
    private static final String LOGIN = "myregistry.azurecr.io";

    @TempDir
    Path dir;

    private final Vertx fakes = Vertx.vertx();
    private FakeEntra entra;
    private FakeArm arm;
    private WebhookApp app;
    private HttpClient admission;
    private final HttpClient plain = HttpClient.newHttpClient();

    @BeforeEach
    void fakes() throws Exception {
        Path tokenFile = dir.resolve("azure-identity-token");
        Files.writeString(tokenFile, "eyJhbGciOiJSUzI1NiJ9.projected-service-account-token.sig");
        entra = new FakeEntra(fakes, tokenFile);
        arm = new FakeArm(fakes, entra::valid);
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop(Duration.ZERO);
        }
        arm.close();
        entra.close();
        FakeTls.await(fakes.close());
    }

    private Map<String, String> workloadIdentity() {
        return Map.of(
                WorkloadIdentity.CLIENT_ID,
                FakeEntra.CLIENT_ID,
                WorkloadIdentity.TENANT_ID,
                FakeEntra.TENANT,
                WorkloadIdentity.TOKEN_FILE,
                dir.resolve("azure-identity-token").toString(),
                WorkloadIdentity.AUTHORITY_HOST,
                entra.authorityHost().toString());
    }

    private String config(boolean ruleSync, String rules, String extra) {
        return """
                server: {host: 127.0.0.1, port: 0}
                ops: {host: 127.0.0.1, port: 0}
                acrLoginServer: %s
                rules: %s
                registry:
                  resourceId: %s
                  ruleSync: %s
                  ruleSyncIntervalSeconds: %d
                  armEndpoint: %s
                %s""".formatted(LOGIN, rules, FakeArm.REGISTRY_ID, ruleSync, INTERVAL_SECONDS, arm.endpoint(), extra);
    }

    private void start(String configText, Map<String, String> env) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, configText);
        Path certs = Files.createDirectories(dir.resolve("certs"));
        app = WebhookApp.start(
                TestConfigs.yaml(configText, env),
                new WebhookApp.Options(file, env, certs, 1, Duration.ofMillis(200)).withAzureTrust(FakeTls.trust()));
        admission = TlsClients.client(certs.resolve("ca.crt"), HttpClient.Version.HTTP_1_1);
    }

    @Test
    void theRegistrysRulesServeAndTheNextAdmissionFollowsTheirChangesWithinOneInterval() throws Exception {
        start(config(true, "[{name: file-hub, source: docker.io/*, target: filehub/*}]", ""), workloadIdentity());
        List<ApplyResult> heard = new CopyOnWriteArrayList<>();
        app.registryListeners().add(heard::add);
        eventually("ready", () -> get("/readyz").statusCode() == 200);
        eventually(
                "the registry's rules in force",
                () -> "registry".equals(rules().path("origin").path("source").asString()));

        assertEquals(LOGIN + "/nginx:1.25", admit("nginx:1.25"), "static rule nginx");
        assertEquals(LOGIN + "/docker/library/redis:7", admit("redis:7"), "wildcard rule dockerhub, not file-hub");
        assertEquals(LOGIN + "/quay/prometheus/node-exporter:v1", admit("quay.io/prometheus/node-exporter:v1"));
        assertEquals(LOGIN + "/mcr/dotnet/runtime:8.0", admit("mcr.microsoft.com/dotnet/runtime:8.0"));

        JsonNode rules = rules();
        Files.createDirectories(Path.of("target"));
        Files.writeString(
                Path.of("target/rules-sample.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rules));
        assertEquals(
                List.of("dockerhub", "nginx", "quay", "mcr"),
                names(rules.path("rules")),
                "ghcr-new (Creating) and redis-tagged (tag in source) are skipped");
        JsonNode quay = byName(rules.path("rules"), "quay");
        assertEquals("wildcard", quay.path("kind").asString());
        assertEquals("quay-creds", quay.path("credentialSet").asString());
        assertEquals("Unhealthy", quay.path("health").path("status").asString());
        assertEquals(
                "KeyVaultSecretNotFound", quay.path("health").path("errorCode").asString());
        assertEquals("static", byName(rules.path("rules"), "nginx").path("kind").asString());
        assertEquals(
                "Healthy",
                byName(rules.path("rules"), "dockerhub")
                        .path("health")
                        .path("status")
                        .asString());
        assertTrue(byName(rules.path("rules"), "mcr").path("health").isNull(), "no credential set");
        JsonNode registry = rules.path("registry");
        assertEquals("success", registry.path("sync").path("result").asString());
        assertEquals(2, registry.path("sync").path("skipped").size());
        assertTrue(registry.path("drift").isNull(), "no drift in sync mode");
        assertTrue(
                metrics().contains("acw_registry_credential_health{credential_set=\"quay-creds\",rule=\"quay\"} 0.0"));

        // the registry changes: a target renamed, a rule removed, a credential set turning Unhealthy
        JsonArray cacheRules = arm.cacheRules.copy();
        find(cacheRules, "nginx").getJsonObject("properties").put("targetRepository", "library/nginx");
        cacheRules.remove(find(cacheRules, "mcr"));
        JsonArray sets = arm.credentialSets.copy();
        find(sets, "dockerhub-creds")
                .getJsonObject("properties")
                .getJsonArray("authCredentials")
                .getJsonObject(0)
                .put(
                        "credentialHealth",
                        new JsonObject()
                                .put("status", "Unhealthy")
                                .put("errorCode", "KeyVaultAccessForbidden")
                                .put("errorMessage", "Access to the Key Vault secret was denied."));
        long changed = System.nanoTime();
        arm.credentialSets = sets;
        arm.cacheRules = cacheRules;
        eventually("the renamed target serves", () -> admitQuietly("nginx:1.25").equals(LOGIN + "/library/nginx:1.25"));
        double seconds = (System.nanoTime() - changed) / 1e9;
        // one interval with its +10 % jitter, plus the time one sync and one admission take on a busy machine
        assertTrue(seconds < INTERVAL_SECONDS * 1.1 + 3, "followed after " + seconds + " s");
        assertEquals("mcr.microsoft.com/dotnet/runtime:8.0", admit("mcr.microsoft.com/dotnet/runtime:8.0"));
        JsonNode after = rules();
        assertEquals(List.of("dockerhub", "nginx", "quay"), names(after.path("rules")));
        JsonNode hub = byName(after.path("rules"), "dockerhub");
        assertEquals("Unhealthy", hub.path("health").path("status").asString());
        assertEquals(
                "KeyVaultAccessForbidden", hub.path("health").path("errorCode").asString());
        ApplyResult last = heard.get(heard.size() - 1);
        assertTrue(last.accepted());
        assertTrue(
                last.credentials().stream().anyMatch(c -> c.rule().equals("dockerhub") && !c.healthy()),
                "the listener hook hears the credential health: " + last.credentials());

        // a config reload changes the other settings; the registry's rules stay in force
        Files.writeString(
                dir.resolve("config.yaml"),
                config(true, "[{name: file-hub, source: docker.io/*, target: filehub/*}]", "mode: audit\n"));
        eventually("reloaded", () -> app.config().get().settings().mode() == Mode.AUDIT);
        assertEquals(List.of("dockerhub", "nginx", "quay"), names(rules().path("rules")));
        assertEquals("registry", rules().path("origin").path("source").asString());

        // ARM fails: the last good rules stay and /rules says why
        arm.faults.put("*", new FakeArm.Status(503, "ServiceUnavailable", "The service is unavailable.", Map.of()));
        eventually(
                "the failure is reported",
                () -> "server-error"
                        .equals(rules().path("registry")
                                .path("sync")
                                .path("result")
                                .asString()));
        JsonNode failing = rules();
        assertEquals(List.of("dockerhub", "nginx", "quay"), names(failing.path("rules")));
        assertTrue(
                failing.path("registry").path("sync").path("error").asString().contains("ServiceUnavailable"));
        assertEquals(200, get("/readyz").statusCode(), "admission never depends on ARM");
    }

    @Test
    void driftModeComparesAndTheFileRulesServe() throws Exception {
        start(
                config(
                        false,
                        "[{name: hub, source: docker.io/*, target: hub/*}, {name: ghcr, source: ghcr.io/*, target:"
                                + " ghcr/*}]",
                        ""),
                workloadIdentity());
        eventually("ready", () -> get("/readyz").statusCode() == 200);
        eventually(
                "compared",
                () -> "success"
                        .equals(rules().path("registry")
                                .path("sync")
                                .path("result")
                                .asString()));
        assertEquals(LOGIN + "/hub/library/redis:7", admit("redis:7"), "the file's rules serve");
        JsonNode rules = rules();
        assertEquals("file", rules.path("origin").path("source").asString());
        assertEquals(List.of("hub", "ghcr"), names(rules.path("rules")));
        JsonNode drift = rules.path("registry").path("drift");
        assertEquals(List.of("ghcr"), names(drift.path("onlyInFile")));
        assertEquals(List.of("nginx", "quay", "mcr"), names(drift.path("onlyInRegistry")));
        assertEquals(1, drift.path("differentTargets").size());
        assertEquals(
                "hub/*",
                drift.path("differentTargets").get(0).path("fileTarget").asString());
        assertEquals(
                "docker/*",
                drift.path("differentTargets").get(0).path("registryTarget").asString());
        String metrics = metrics();
        assertTrue(metrics.contains("acw_registry_drift{kind=\"target_differs\"} 1.0"), metrics);
        assertTrue(metrics.contains("acw_registry_drift{kind=\"only_registry\"} 3.0"), metrics);
    }

    @Test
    void withoutWorkloadIdentityTheWebhookIsReadyOnTheFileRulesAndSaysWhy() throws Exception {
        start(config(true, "[{name: file-hub, source: docker.io/*, target: filehub/*}]", ""), Map.of());
        eventually("ready", () -> get("/readyz").statusCode() == 200);
        JsonNode ready = JSON.readTree(get("/readyz").body());
        String note = ready.path("notes").path(RegistrySync.READINESS).asString();
        assertTrue(note.contains("first registry sync failed") && note.contains("AZURE_CLIENT_ID"), ready.toString());
        JsonNode rules = rules();
        assertEquals("file", rules.path("origin").path("source").asString());
        assertEquals(List.of("file-hub"), names(rules.path("rules")));
        assertEquals("token", rules.path("registry").path("sync").path("result").asString());
        assertTrue(rules.path("registry").path("sync").path("error").asString().contains("AZURE_CLIENT_ID"));
        assertEquals(LOGIN + "/filehub/library/redis:7", admit("redis:7"));
        assertEquals(0, arm.requests.size(), "nothing was sent to ARM without a token");
    }

    private String admitQuietly(String image) {
        try {
            return admit(image);
        } catch (Exception e) {
            return "";
        }
    }

    /** The image the webhook answers for a Pod with this one container (the same when left alone). */
    private String admit(String image) throws Exception {
        Pod pod = TestPods.withImages(image);
        HttpResponse<String> answer = admission.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + app.admissionPort() + "/mutate"))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Reviews.create(pod)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode());
        AdmissionResponse response =
                Reviews.answer(answer.body().getBytes(StandardCharsets.UTF_8)).getResponse();
        assertTrue(response.getAllowed());
        Pod result = response.getPatch() == null ? pod : Reviews.apply(pod, response.getPatch());
        Container c = result.getSpec().getContainers().get(0);
        return c.getImage();
    }

    private HttpResponse<String> get(String path) {
        try {
            return plain.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.opsPort() + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private JsonNode rules() {
        HttpResponse<String> r = get("/rules");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
        return JSON.readTree(r.body());
    }

    private String metrics() {
        return get("/metrics").body();
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path("name").asString()));
        return out;
    }

    private static JsonNode byName(JsonNode array, String name) {
        for (JsonNode n : array) {
            if (name.equals(n.path("name").asString())) {
                return n;
            }
        }
        throw new AssertionError("no " + name + " in " + array);
    }

    private static JsonObject find(JsonArray list, String name) {
        for (int i = 0; i < list.size(); i++) {
            if (name.equals(list.getJsonObject(i).getString("name"))) {
                return list.getJsonObject(i);
            }
        }
        throw new AssertionError("no " + name);
    }
}

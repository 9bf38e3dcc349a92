package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.FakeArm;
import io.acrcache.webhook.azure.FakeTls;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command: exit codes, both outputs, configuration read as the webhook reads it. */
class DoctorCommandTest extends BedTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(Map<String, String> env, String... args) {
        return DoctorCommand.run(
                args,
                env,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new DoctorCommand.Wiring(FakeTls.trust(), new Doctor.Options(DoctorBed.TIMEOUTS, "http")));
    }

    Path configFile() throws Exception {
        return Files.writeString(dir.resolve("config.yaml"), bed.configText());
    }

    @Test
    void soundChainExitsZeroWithJson() throws Exception {
        int code = run(
                bed.env(),
                "--config",
                configFile().toString(),
                "--aks-resource-id",
                DoctorBed.CLUSTER,
                "--output=json");
        assertEquals(0, code, out + "\n" + err);
        JsonObject json = new JsonObject(out.toString(StandardCharsets.UTF_8));
        assertTrue(json.getJsonArray("checks").size() >= 9);
    }

    @Test
    void brokenLinkExitsOneWithAChecklist() throws Exception {
        bed.arm.registry = FakeArm.registryResource("otherregistry.azurecr.io");
        Map<String, String> env = bed.env();
        env.put("ACW_CONFIG", configFile().toString());
        env.put(DoctorCommand.CLUSTER_ENV, DoctorBed.CLUSTER);
        assertEquals(1, run(env), err.toString());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("[FAIL] Registry resource (registry)"), text);
        assertTrue(text.contains("fix: set acrLoginServer (ACW_ACR_LOGIN_SERVER) to otherregistry.azurecr.io"), text);
    }

    @Test
    void badArgumentsExitTwo() {
        assertEquals(2, run(Map.of(), "--output", "yaml"));
        assertEquals(2, run(Map.of(), "--frobnicate"));
        assertEquals(2, run(Map.of(), "--config"));
        assertEquals(2, run(Map.of(), "--aks-resource-id", "mycluster"));
        assertTrue(err.toString().contains("not an AKS cluster's id"), err.toString());
    }

    @Test
    void badConfigurationExitsTwoNamingEveryError() throws Exception {
        Path file = Files.writeString(
                dir.resolve("bad.yaml"),
                "acrLoginServer: x.azurecr.io\nregistry: {resourceId: nope}\nmode: sideways\n");
        assertEquals(2, run(Map.of(), "--config", file.toString()));
        String e = err.toString();
        assertTrue(e.contains("registry.resourceId") && e.contains("mode"), e);
    }

    @Test
    void helpExitsZero() {
        assertEquals(0, run(Map.of(), "--help"));
        assertTrue(out.toString().contains("--aks-resource-id"));
    }

    @Test
    void withoutIdentityTheIdentityCheckFailsAndSaysHowToGetOne() throws Exception {
        assertEquals(1, run(Map.of(), "--config", configFile().toString()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("[FAIL] Entra ID token for ARM"), text);
        assertTrue(text.contains("azure.workloadIdentity.clientId"), text);
    }
}

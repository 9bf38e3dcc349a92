package io.acrcache.webhook;

import io.fabric8.kubernetes.client.impl.KubernetesClientImpl;
import io.vertx.core.Vertx;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's CycloneDX SBOM (cyclonedx-maven-plugin in pom.xml, bound to generate-resources so that it exists before
 * the tests) lists what the shaded jar holds, with the versions the build resolved, and the image carries it.
 */
class SbomTest {
    static final Path SBOM =
            Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target/acr-cache-webhook-sbom.json");

    private static JsonNode sbom() throws Exception {
        assertTrue(
                Files.isRegularFile(SBOM),
                SBOM
                        + " is missing: the cyclonedx-maven-plugin writes it in generate-resources (mvn generate-resources)");
        return JsonMapper.builder().build().readTree(Files.readString(SBOM));
    }

    /** The component with this group and name; fails when there is not exactly one. */
    private static JsonNode component(JsonNode sbom, String group, String name) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode c : sbom.path("components")) {
            if (group.equals(c.path("group").asString())
                    && name.equals(c.path("name").asString())) {
                found.add(c);
            }
        }
        assertEquals(1, found.size(), group + ":" + name + " in the SBOM");
        return found.get(0);
    }

    /** The version of the jar a class was loaded from: the build's resolved version ("vertx-core-5.0.7.jar"). */
    private static String jarVersion(Class<?> type, String artifactId) throws URISyntaxException {
        String jar = Path.of(
                        type.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getFileName()
                .toString();
        assertTrue(jar.startsWith(artifactId + "-") && jar.endsWith(".jar"), jar);
        return jar.substring(artifactId.length() + 1, jar.length() - ".jar".length());
    }

    @Test
    void listsTheShadedDependenciesWithTheResolvedVersions() throws Exception {
        JsonNode sbom = sbom();
        assertEquals("CycloneDX", sbom.path("bomFormat").asString());
        assertEquals(
                "acr-cache-webhook",
                sbom.path("metadata").path("component").path("name").asString());

        record Dependency(String group, String artifact, Class<?> probe) {}
        for (Dependency d : List.of(
                new Dependency("io.vertx", "vertx-core", Vertx.class),
                new Dependency("io.fabric8", "kubernetes-client", KubernetesClientImpl.class),
                new Dependency("org.bouncycastle", "bcprov-jdk18on", BouncyCastleProvider.class))) {
            JsonNode c = component(sbom, d.group(), d.artifact());
            String version = jarVersion(d.probe(), d.artifact());
            assertEquals(version, c.path("version").asString(), d.artifact());
            assertEquals(
                    "pkg:maven/" + d.group() + "/" + d.artifact() + "@" + version + "?type=jar",
                    c.path("purl").asString());
        }
    }

    @Test
    void leavesOutWhatTheJarDoesNotHold() throws Exception {
        // test-scope dependencies are not shaded, so they must not appear
        for (JsonNode c : sbom().path("components")) {
            String name = c.path("group").asString() + ":" + c.path("name").asString();
            assertTrue(
                    !name.startsWith("org.junit") && !name.contains("helm-java") && !name.contains("jqwik"),
                    name + " is a test dependency");
        }
    }

    @Test
    void theImageCarriesIt() throws Exception {
        String dockerfile = Files.readString(
                Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("Dockerfile"));
        assertTrue(
                dockerfile.contains(
                        "COPY --from=build /build/target/acr-cache-webhook-sbom.json /app/sbom/acr-cache-webhook-sbom.json"),
                "the Dockerfile copies the SBOM to /app/sbom/");
    }
}

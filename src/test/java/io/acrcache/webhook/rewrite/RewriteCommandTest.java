package io.acrcache.webhook.rewrite;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: options, exit codes, standard input and output, and nothing written on an error. */
class RewriteCommandTest {
    static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27
            """;
    static final String NO_DOCKER_HUB = """
            apiVersion: v1
            kind: Pod
            metadata: {name: other}
            spec:
              containers:
                - {name: app, image: ghcr.io/stefanprodan/podinfo:6.7.0}
            """;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String stdin, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RewriteCommand.run(
                args,
                env,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The registry the runs without a config file rewrite to: {@code rewrite} needs one named. */
    static final Map<String, String> LOGIN_SERVER = Map.of("ACW_ACR_LOGIN_SERVER", "myacr.azurecr.io");

    static Run run(String stdin, String... args) {
        return run(stdin, LOGIN_SERVER, args);
    }

    @Test
    void standardInToStandardOut() {
        Run r = run(POD, "-f", "-");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("image: myacr.azurecr.io/docker/library/nginx:1.27\n"), r.out());
        assertEquals(r.out(), run(POD).out(), "standard input is the default");
    }

    @Test
    void checkExitsOneWithALinePerImageAndZeroWhenNothingWouldChange() throws Exception {
        Path file = Files.writeString(dir.resolve("web.yaml"), NO_DOCKER_HUB + "---\n" + POD);
        Run found = run("", "--check", "-f", file.toString());
        assertEquals(1, found.code());
        assertEquals(
                file
                        + ": document 2: Pod/web: containers/web: nginx:1.27 -> myacr.azurecr.io/docker/library/nginx:1.27\n",
                found.out());
        assertTrue(found.err().contains("1 image(s) would be rewritten"), found.err());

        Run clean = run(NO_DOCKER_HUB, "--check");
        assertEquals(0, clean.code());
        assertEquals("", clean.out());
    }

    @Test
    void anInvalidReferenceIsReportedByCheckWithoutFailingIt() {
        Run r = run(NO_DOCKER_HUB.replace("ghcr.io/stefanprodan/podinfo:6.7.0", "'nginx:'"), "--check");
        assertEquals(0, r.code(), "an invalid image is not one the cache would serve: nothing to rewrite");
        assertEquals(
                "<stdin>: document 1: Pod/other: containers/app: left alone (invalid reference): nginx:\n", r.out());
    }

    @Test
    void diffShowsOnlyTheChangedLines() {
        Run r = run(NO_DOCKER_HUB + "---\n" + POD, "--diff");
        assertEquals(0, r.code());
        assertEquals("""
                --- <stdin> document 2 (Pod/web)
                +++ <stdin> document 2 (Pod/web)
                @@ -10,0 +11,2 @@
                +  annotations:
                +    acr-cache-webhook.io/original-images: '{"containers/web":"nginx:1.27"}'
                @@ -15 +17 @@
                -      image: nginx:1.27
                +      image: myacr.azurecr.io/docker/library/nginx:1.27
                """, r.out());
    }

    @Test
    void aBadDocumentWritesNothingAndExitsTwo() throws Exception {
        Path good = Files.writeString(dir.resolve("a.yaml"), POD);
        Path bad = Files.writeString(dir.resolve("b.yaml"), POD + "---\nkind: Pod\n\tmetadata: x\n");
        Run r = run("", "-f", good.toString(), "-f", bad.toString());
        assertEquals(2, r.code());
        assertEquals("", r.out(), "nothing is written, not even the good file");
        assertTrue(r.err().startsWith("rewrite: " + bad + ": document 2: not YAML or JSON: "), r.err());
    }

    @Test
    void anUnknownKindPassesThroughByteForByte() {
        String crd = "apiVersion: example.com/v1\nkind: Pod\nmetadata: {name: not-a-pod}\n"
                + "spec: {containers: [{name: a, image: nginx}]}\n";
        Run r = run(crd);
        assertEquals(0, r.code());
        assertEquals(crd, r.out());
    }

    @Test
    void aFolderIsReadInNameOrderAndFilesAreSeparated() throws Exception {
        Files.writeString(dir.resolve("b.yml"), POD);
        Files.writeString(
                dir.resolve("a.json"),
                "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"x\"}}");
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");
        Run r = run("", "-f", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("{\"apiVersion\": \"v1\", \"kind\": \"Namespace\""), r.out());
        assertTrue(r.out().contains("}\n---\napiVersion: v1\nkind: Pod\n"), r.out());
    }

    @Test
    void theConfigurationIsTheWebhooks() throws Exception {
        Path config = Files.writeString(dir.resolve("acw.yaml"), """
                acrLoginServer: other.azurecr.io
                rules:
                  - {source: docker.io/*, target: hub/*}
                """);
        assertTrue(run(POD, Map.of(), "--config", config.toString())
                .out()
                .contains("image: other.azurecr.io/hub/library/nginx:1.27"));
        assertTrue(run(POD, Map.of("ACW_CONFIG", config.toString())).out().contains("other.azurecr.io/hub/"));
        Run bad = run(POD, "--config", dir.resolve("missing.yaml").toString());
        assertEquals(2, bad.code());
        assertEquals("", bad.out());
    }

    @Test
    void withoutARegistryNamedNothingIsWritten() throws Exception {
        Run none = run(POD, Map.of(), "-f", "-");
        assertEquals(2, none.code());
        assertEquals("", none.out());
        assertEquals(RewriteCommand.NO_LOGIN_SERVER + "\n", none.err());
        assertTrue(none.err().contains("--config FILE") && none.err().contains("ACW_ACR_LOGIN_SERVER"), none.err());
        assertEquals(2, run(POD, Map.of(), "--check").code());

        Run fromEnv = run(POD, Map.of("ACW_ACR_LOGIN_SERVER", "team.azurecr.io"));
        assertEquals(0, fromEnv.code(), fromEnv.err());
        assertTrue(fromEnv.out().contains("image: team.azurecr.io/docker/library/nginx:1.27\n"), fromEnv.out());
        Run fromResourceId = run(
                POD,
                Map.of(
                        "ACW_REGISTRY_RESOURCE_ID",
                        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
                                + "/Microsoft.ContainerRegistry/registries/teamacr"));
        assertEquals(0, fromResourceId.code(), fromResourceId.err());
        assertTrue(fromResourceId.out().contains("image: teamacr.azurecr.io/"), fromResourceId.out());
        assertEquals(0, run("", Map.of(), "--help").code(), "help needs no registry");
    }

    @Test
    void usageErrors() {
        assertEquals(2, run("", "--nope").code());
        assertEquals(2, run("", "-f").code());
        assertEquals(2, run("", "--check=yes").code());
        Run missing = run("", "-f", "/no/such/file.yaml");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("/no/such/file.yaml: no such file or folder"), missing.err());
        Run help = run("", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--check"));
    }
}

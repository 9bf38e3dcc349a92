package io.acrcache.webhook.rewrite;

import io.acrcache.webhook.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/acw-rewrite} run by {@code sh} as Helm runs a post-renderer: manifests on standard input, the rewrite on
 * standard output. The shaded jar is built after the tests, so the script is given a launcher jar with the same
 * {@code Main-Class} whose {@code Class-Path} is this test's classpath: the script, {@code java -jar} and the real
 * command all run for real.
 */
class WrapperScriptTest {
    private static final Path SCRIPT = Path.of("bin/acw-rewrite");

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    @Test
    void aPostRendererFromStandardInToStandardOut() throws Exception {
        Path jar = launcher(dir.resolve("launcher.jar"));
        String manifest = Files.readString(Path.of("test-manifests/02-nginx-official.yaml"));
        Result r = sh(SCRIPT, withJar(jar), manifest);
        assertEquals(0, r.code(), r.err());
        assertEquals(
                RewriteCommandTest.run(manifest, "-f", "-").out(),
                r.out(),
                "the same bytes as the command run in-process");
        assertTrue(r.out().contains("image: myacr.azurecr.io/docker/library/nginx:1.27"), r.out());
    }

    @Test
    void extraArgumentsReachTheCommandAndItsExitCodeComesBack() throws Exception {
        Path jar = launcher(dir.resolve("launcher.jar"));
        String manifest = Files.readString(Path.of("test-manifests/02-nginx-official.yaml"));
        Result r = sh(SCRIPT, withJar(jar), manifest, "--check");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().startsWith("<stdin>: document 1: Pod/nginx: containers/nginx: nginx:1.27 -> "), r.out());
    }

    @Test
    void theJarNextToTheScriptIsFound() throws Exception {
        Path script = Files.copy(SCRIPT, dir.resolve("acw-rewrite"));
        launcher(dir.resolve("acr-cache-webhook.jar"));
        Result r =
                sh(script, RewriteCommandTest.LOGIN_SERVER, "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
        assertEquals(0, r.code(), r.err());
        assertEquals("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n", r.out());
    }

    @Test
    void withoutARegistryThePostRendererFailsAndWritesNothing() throws Exception {
        Path jar = launcher(dir.resolve("launcher.jar"));
        String manifest = Files.readString(Path.of("test-manifests/02-nginx-official.yaml"));
        Result r = sh(SCRIPT, Map.of("ACW_JAR", jar.toString()), manifest);
        assertEquals(2, r.code(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("ACW_ACR_LOGIN_SERVER"), r.err());
    }

    private static Map<String, String> withJar(Path jar) {
        Map<String, String> env = new HashMap<>(RewriteCommandTest.LOGIN_SERVER);
        env.put("ACW_JAR", jar.toString());
        return env;
    }

    @Test
    void noJarIsAClearError() throws Exception {
        Path script = Files.copy(SCRIPT, dir.resolve("acw-rewrite"), StandardCopyOption.REPLACE_EXISTING);
        Result r = sh(script, Map.of(), "");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("acw-rewrite: cannot find acr-cache-webhook.jar"), r.err());
        Result wrong = sh(script, Map.of("ACW_JAR", dir.resolve("nope.jar").toString()), "");
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("is not a file"), wrong.err());
    }

    private static Result sh(Path script, Map<String, String> env, String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("ACW_"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home")); // the JVM running this test
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("this test runs bin/acw-rewrite with sh, which must be on the PATH: " + e, e);
        }
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "acw-rewrite did not finish");
        return new Result(
                p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** A jar with the application's Main-Class and this test's classpath. */
    private static Path launcher(Path jar) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        StringBuilder urls = new StringBuilder();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                urls.append(Path.of(entry).toAbsolutePath().toUri()).append(' ');
            }
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        manifest.getMainAttributes()
                .put(Attributes.Name.CLASS_PATH, urls.toString().trim());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            // the manifest is all it needs
        }
        return jar;
    }
}

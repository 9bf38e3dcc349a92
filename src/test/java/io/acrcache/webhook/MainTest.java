package io.acrcache.webhook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line refuses bad configuration at start, naming every field, with exit status 2. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return Main.run(
                args,
                env,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void nettysFlightRecorderEventsAreOffUnlessAskedFor() {
        String before = System.getProperty("io.netty.jfr.enabled");
        try {
            System.clearProperty("io.netty.jfr.enabled");
            Main.quietNettyEvents();
            assertEquals("false", System.getProperty("io.netty.jfr.enabled"));
            System.setProperty("io.netty.jfr.enabled", "true");
            Main.quietNettyEvents();
            assertEquals("true", System.getProperty("io.netty.jfr.enabled"), "an operator's choice stands");
        } finally {
            if (before == null) {
                System.clearProperty("io.netty.jfr.enabled");
            } else {
                System.setProperty("io.netty.jfr.enabled", before);
            }
        }
    }

    @Test
    void trainStartsWarmsUpAndStops() {
        assertEquals(
                0,
                Main.train(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8)),
                err.toString(StandardCharsets.UTF_8));
        assertEquals("trained: started, warmed up and stopped\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badConfigFileIsRefusedWithEveryFieldNamed(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                acrLoginServer: myacr.azurecr.io
                rules:
                  - name: hub
                    source: docker.io/*
                    target: docker
                  - source: ghcr.io/*
                """);
        assertEquals(2, run(Map.of("ACW_SERVER_PORT", "http"), "--config", file.toString()));
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("rules[1].target: is required"), message);
        assertTrue(
                message.contains("rule hub: source 'docker.io/*' and target 'docker' must both be wildcards"), message);
        assertTrue(message.contains("server.port: 'http' is not a whole number"), message);
    }

    @Test
    void configPathFromTheEnvironment(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("c.yaml"), "mode: sometimes\n");
        assertEquals(2, run(Map.of("ACW_CONFIG", file.toString())));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("mode: 'sometimes' must be one of [enforce, audit]"));
    }

    @Test
    void helpAndBadArguments() {
        assertEquals(0, run(Map.of(), "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("ACW_ACR_LOGIN_SERVER"));
        assertEquals(2, run(Map.of(), "--confg", "x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown argument '--confg'"));
        assertEquals(2, run(Map.of(), "--config"));
    }

    @Test
    void certsSubcommand(@TempDir Path dir) {
        assertEquals(0, run(Map.of(), "certs", "--out", dir.toString()));
        assertTrue(Files.exists(dir.resolve("tls.crt")) && Files.exists(dir.resolve("ca.crt")));
        assertTrue(!out.toString(StandardCharsets.UTF_8).contains("PRIVATE KEY"));
    }
}

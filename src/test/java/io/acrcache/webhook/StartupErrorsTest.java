package io.acrcache.webhook;

import io.acrcache.webhook.config.ConfigException;
import io.acrcache.webhook.config.SettingsLoader;
import io.acrcache.webhook.testing.LogCapture;
import io.acrcache.webhook.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a user sees when the webhook cannot start: the listener, the port, the field; no stack traces. */
class StartupErrorsTest {
    @TempDir
    Path dir;

    private LogCapture capture;

    @BeforeEach
    void listen() {
        capture = LogCapture.root();
    }

    @AfterEach
    void stopListening() {
        capture.detach();
    }

    private Exception startWith(String yaml) {
        return assertThrows(
                Exception.class,
                () -> WebhookApp.start(
                                TestConfigs.yaml(yaml),
                                new WebhookApp.Options(null, Map.of(), dir, 2, Duration.ofSeconds(5)))
                        .stop(Duration.ZERO));
    }

    private void assertNoStackTraces() throws InterruptedException {
        Thread.sleep(300); // anything the event loops still log about the failure
        for (LogRecord r : capture.records()) {
            assertTrue(r.getThrown() == null, "stack trace capture.records(): " + r.getMessage() + " " + r.getThrown());
            assertTrue(!String.valueOf(r.getMessage()).contains("Promise already completed"), r.getMessage());
        }
    }

    @Test
    void aTakenOpsPortNamesTheListenerAndThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Exception e = startWith("server: {host: 127.0.0.1, port: 0}\nops: {host: 127.0.0.1, port: " + port + "}\n");
            assertTrue(
                    e.getMessage()
                            .contains("ops listener (HTTP) cannot listen on 127.0.0.1:" + port
                                    + ": address already in use"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("ACW_OPS_PORT"), e.getMessage());
            assertNoStackTraces();
        }
    }

    @Test
    void bothPortsTakenAreNamedTogether() throws Exception {
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Exception e = startWith("server: {host: 127.0.0.1, port: " + a.getLocalPort() + "}\nops: {host: 127.0.0.1,"
                    + " port: " + b.getLocalPort() + "}\n");
            assertTrue(
                    e.getMessage().contains("admission listener (TLS) cannot listen on 127.0.0.1:" + a.getLocalPort()),
                    e.getMessage());
            assertTrue(
                    e.getMessage().contains("ops listener (HTTP) cannot listen on 127.0.0.1:" + b.getLocalPort()),
                    e.getMessage());
            assertNoStackTraces();
        }
    }

    @Test
    void tlsFilesThatAreMissingUnreadableOrNotPemAreConfigurationErrors() throws Exception {
        Path notPem = Files.writeString(dir.resolve("tls.crt"), "hello\n");
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                acrLoginServer: myacr.azurecr.io
                mode: sometimes
                server: {tlsCertFile: %s, tlsKeyFile: %s}
                """.formatted(notPem, dir.resolve("missing.key")));
        ConfigException e = assertThrows(ConfigException.class, () -> SettingsLoader.load(config, Map.of()));
        String all = String.join("\n", e.errors());
        assertTrue(all.contains("mode:"), all);
        assertTrue(all.contains("server.tlsCertFile: " + notPem + ": not PEM"), all);
        assertTrue(all.contains("server.tlsKeyFile: " + dir.resolve("missing.key") + ": no such file"), all);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                new String[] {"--config", config.toString()},
                Map.of(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no such file"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void configurationErrorsFollowTheJsonFormatWhenItCanBeRead() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yaml"), "logging: {format: json}\nmode: sometimes\n");
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("ACW_LOGGING_FORMAT", "json"))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(
                    new String[] {"--config", config.toString()},
                    env,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, code);
            String text = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, text.lines().count(), text);
            var json = tools.jackson.databind.json.JsonMapper.builder().build().readTree(text);
            assertEquals("ERROR", json.get("level").stringValue());
            assertTrue(json.get("message").stringValue().contains("mode: 'sometimes'"), text);
        }
    }

    @Test
    void versionAndTheStartLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(
                0,
                Main.run(
                        new String[] {"--version"},
                        Map.of(),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        System.err));
        assertTrue(
                out.toString(StandardCharsets.UTF_8).matches("acr-cache-webhook \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\n"),
                out.toString(StandardCharsets.UTF_8));

        Map<String, String> env = Map.of("ACW_MODE", "audit", "ACW_OPS_PORT", "0", "PATH", "/bin");
        String start = Main.startLine("c.yaml", TestConfigs.yaml("", env), env);
        assertTrue(start.contains("from the environment: ACW_MODE (mode), ACW_OPS_PORT (ops.port)"), start);
        assertTrue(Main.startLine(null, TestConfigs.defaults(), Map.of()).contains("from the environment: nothing"));

        WebhookApp app = WebhookApp.start(
                TestConfigs.yaml("server: {host: 127.0.0.1, port: 0}\nops: {port: 0}\n"),
                new WebhookApp.Options(null, Map.of(), dir, 1, Duration.ofSeconds(5)));
        try {
            String serving = Main.servingLine(app.config().get().settings(), app);
            assertTrue(serving.contains("https://127.0.0.1:" + app.admissionPort() + "/mutate "), serving);
            assertTrue(serving.contains("http://localhost:" + app.opsPort() + "/readyz"), serving);
            assertTrue(serving.contains("http://localhost:" + app.opsPort() + "/rules"), serving);
        } finally {
            app.stop(Duration.ZERO);
        }
    }
}

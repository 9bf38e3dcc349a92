package io.acrcache.webhook;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar acr-cache-webhook.jar rewrite ...} reaches the rewrite command, and its exit code comes back. */
class MainRewriteTest {
    @Test
    void rewriteIsASubCommand() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                new String[] {"rewrite", "--check", "-f", "test-manifests/02-nginx-official.yaml"},
                Map.of("ACW_ACR_LOGIN_SERVER", "myacr.azurecr.io"),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8)
                .contains("nginx:1.27 -> myacr.azurecr.io/docker/library/nginx:1.27"));
        assertEquals(2, Main.run(new String[] {"rewrite", "--nope"}, Map.of(), System.out, System.err));
    }
}

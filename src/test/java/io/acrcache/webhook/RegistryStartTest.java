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

/** A {@code registry.resourceId} that is not a registry's is refused at start, naming the field (exit status 2). */
class RegistryStartTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void aResourceIdThatIsNotARegistrysIsRefusedAtStart(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), """
                acrLoginServer: myacr.azurecr.io
                registry:
                  resourceId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/myvault
                  ruleSync: true
                """);
        int status = Main.run(
                new String[] {"--config", file.toString()},
                Map.of("ACW_REGISTRY_ARM_ENDPOINT", "http://management.azure.com"),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("registry.resourceId: '/subscriptions/"), message);
        assertTrue(message.contains("is not a container registry's resource ID"), message);
        assertTrue(
                message.contains("registry.armEndpoint: 'http://management.azure.com' must be an https URL"), message);
    }
}

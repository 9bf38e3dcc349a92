package io.acrcache.webhook.config;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LoginServersTest {
    @Test
    void registryNameToLoginServer() {
        assertEquals("myacr.azurecr.io", LoginServers.fromRegistryName("myacr"));
        assertEquals("contosocache01.azurecr.io", LoginServers.fromRegistryName("ContosoCache01"));
        assertThrows(IllegalArgumentException.class, () -> LoginServers.fromRegistryName("abc"));
        assertThrows(IllegalArgumentException.class, () -> LoginServers.fromRegistryName("my-acr"));
        assertThrows(IllegalArgumentException.class, () -> LoginServers.fromRegistryName(null));
    }

    @Test
    void registryNameFromArmIds() {
        String registry = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
                + "Microsoft.ContainerRegistry/registries/MyAcr";
        assertEquals(Optional.of("MyAcr"), LoginServers.registryName(registry));
        assertEquals(Optional.of("MyAcr"), LoginServers.registryName(registry + "/cacheRules/docker-hub"));
        assertEquals(
                Optional.of("MyAcr"),
                LoginServers.registryName(registry.toLowerCase().replace("myacr", "MyAcr")));
        assertEquals(Optional.empty(), LoginServers.registryName("/subscriptions/x/credentialSets/hub"));
        assertEquals(Optional.empty(), LoginServers.registryName("docker-hub"));
        assertEquals(Optional.empty(), LoginServers.registryName(null));
    }
}

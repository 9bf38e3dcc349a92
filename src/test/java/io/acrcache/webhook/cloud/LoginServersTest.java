package io.acrcache.webhook.cloud;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LoginServersTest {
    @Test
    void registryNameToLoginServer() {
        String arm = ArmEndpoint.DEFAULT;
        assertEquals(Optional.of("myacr.azurecr.io"), LoginServers.fromRegistry("myacr", arm));
        assertEquals(Optional.of("contosocache01.azurecr.io"), LoginServers.fromRegistry("ContosoCache01", arm));
    }

    @Test
    void armIdsThatAreNotARegistrysNameNone() {
        String base = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/";
        assertEquals(Optional.empty(), LoginServers.registryName(base + "abc"));
        assertEquals(Optional.empty(), LoginServers.registryName(base + "my-acr"));
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

package io.acrcache.webhook.pullfailures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterAccessTest {
    @TempDir
    Path home;

    @Test
    void noKubeconfigAndNotInAPodIsSaidAtOnce() {
        Optional<String> missing = ClusterAccess.missing(Map.of(), name -> null, home);
        assertTrue(missing.orElseThrow().startsWith("no kubeconfig and not in a Pod: set KUBECONFIG"), missing.get());
    }

    @Test
    void aKubeconfigThatCannotBeReadIsNamed() {
        Path nowhere = home.resolve("nope");
        Optional<String> missing = ClusterAccess.missing(Map.of("KUBECONFIG", nowhere.toString()), name -> null, home);
        assertTrue(missing.orElseThrow().contains(nowhere.toString()), missing.get());
    }

    @Test
    void anyWayFabric8FindsAClusterIsEnough() throws Exception {
        Path file = Files.writeString(home.resolve("kubeconfig"), "apiVersion: v1\n");
        assertEquals(
                Optional.empty(),
                ClusterAccess.missing(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), n -> null, home));
        assertEquals(Optional.empty(), ClusterAccess.missing(Map.of("KUBECONFIG", file.toString()), n -> null, home));
        assertEquals(
                Optional.empty(),
                ClusterAccess.missing(Map.of(), n -> n.equals("kubeconfig") ? file.toString() : null, home));
        assertEquals(
                Optional.empty(),
                ClusterAccess.missing(Map.of(), n -> n.equals("kubernetes.master") ? "https://k:6443" : null, home));
        Files.createDirectories(home.resolve(".kube"));
        Files.writeString(home.resolve(".kube/config"), "apiVersion: v1\n");
        assertEquals(Optional.empty(), ClusterAccess.missing(Map.of(), n -> null, home));
    }
}

package io.acrcache.webhook.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code ops.auth: auto}, the default: the cluster checks callers in a Pod; outside one nobody can ask it. */
class OpsAuthModeTest {
    private static final Map<String, String> IN_A_POD = Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1");

    @Test
    void autoIsKubernetesInAPodAndNoneOutsideOne() {
        assertEquals(OpsAuthMode.KUBERNETES, OpsAuthMode.AUTO.resolve(IN_A_POD));
        assertEquals(OpsAuthMode.NONE, OpsAuthMode.AUTO.resolve(Map.of()));
    }

    @Test
    void anExplicitChoiceStandsWherever() {
        assertEquals(OpsAuthMode.NONE, OpsAuthMode.NONE.resolve(IN_A_POD));
        assertEquals(OpsAuthMode.KUBERNETES, OpsAuthMode.KUBERNETES.resolve(Map.of()));
    }

    @Test
    void theDefaultIsAuto() {
        assertEquals(OpsAuthMode.AUTO, Defaults.OPS_AUTH);
    }
}

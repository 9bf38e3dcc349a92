package io.acrcache.webhook.chart;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static io.acrcache.webhook.chart.ChartRenderer.values;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad values are refused by Helm before anything is rendered, with a message naming the value. */
class ValuesValidationTest {

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("no login server", Map.of(), "at '/acr': missing property 'loginServer'"),
                Arguments.of("unknown top-level key", values("foo", "bar"), "additional properties 'foo' not allowed"),
                Arguments.of(
                        "misspelled nested key",
                        values("webhook.failurePolicyy", "Fail"),
                        "at '/webhook': additional properties 'failurePolicyy' not allowed"),
                Arguments.of(
                        "bad failurePolicy",
                        values("webhook.failurePolicy", "Sometimes"),
                        "at '/webhook/failurePolicy': value must be one of 'Ignore', 'Fail'"),
                Arguments.of(
                        "login server with a scheme",
                        values("acr.loginServer", "https://myacr.azurecr.io"),
                        "at '/acr/loginServer': 'https://myacr.azurecr.io' does not match pattern"),
                Arguments.of(
                        "login server with a path",
                        values("acr.loginServer", "myacr.azurecr.io/docker"),
                        "at '/acr/loginServer': 'myacr.azurecr.io/docker' does not match pattern"),
                Arguments.of(
                        "login server with spaces",
                        values("acr.loginServer", "my acr"),
                        "at '/acr/loginServer': 'my acr' does not match pattern"),
                Arguments.of(
                        "timeout below range",
                        values("webhook.timeoutSeconds", "0"),
                        "at '/webhook/timeoutSeconds': minimum: got 0, want 1"),
                Arguments.of(
                        "timeout above range",
                        values("webhook.timeoutSeconds", "31"),
                        "at '/webhook/timeoutSeconds': maximum: got 31, want 30"),
                Arguments.of(
                        "unknown mode", values("mode", "warn"), "at '/mode': value must be one of 'enforce', 'audit'"),
                Arguments.of(
                        "unknown certificate mode",
                        values("certificates.mode", "vault"),
                        "at '/certificates/mode': value must be one of 'selfSigned', 'certManager', 'existingSecret'"),
                Arguments.of(
                        "existingSecret without its name",
                        values("certificates.mode", "existingSecret", "certificates.existingSecret.caBundle", "QUJD"),
                        "at '/certificates/existingSecret/name': minLength: got 0, want 1"),
                Arguments.of(
                        "existingSecret without its caBundle",
                        values("certificates.mode", "existingSecret", "certificates.existingSecret.name", "tls"),
                        "at '/certificates/existingSecret/caBundle': minLength: got 0, want 1"),
                Arguments.of(
                        "caBundle that is not base64",
                        values(
                                "certificates.mode", "existingSecret",
                                "certificates.existingSecret.name", "tls",
                                "certificates.existingSecret.caBundle", "-----BEGIN CERTIFICATE-----"),
                        "at '/certificates/existingSecret/caBundle'"),
                Arguments.of(
                        "cache rule source with a tag",
                        values("rules[0].source", "docker.io/library/nginx:1.25", "rules[0].target", "nginx"),
                        "at '/rules/0/source'"),
                Arguments.of(
                        "log level",
                        values("logging.level", "trace"),
                        "at '/logging/level': value must be one of 'error', 'warn', 'info', 'debug'"),
                Arguments.of(
                        "zero replicas", values("replicaCount", "0"), "at '/replicaCount': minimum: got 0, want 1"),
                Arguments.of(
                        "excluded namespace that is not a name",
                        values("excludedNamespaces[0]", "Team_A"),
                        "at '/excludedNamespaces/0'"),
                Arguments.of(
                        "autoscaling max below min",
                        values(
                                "autoscaling.enabled", "true",
                                "autoscaling.minReplicas", "5",
                                "autoscaling.maxReplicas", "3"),
                        "autoscaling.maxReplicas (3) must not be less than autoscaling.minReplicas (5)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedWithAClearMessage(String why, Map<String, String> values, String expectedMessage) {
        ChartRenderer.ChartRenderException e =
                assertThrows(ChartRenderer.ChartRenderException.class, () -> ChartRenderer.render(values));

        assertTrue(
                e.getMessage().contains(expectedMessage),
                () -> why + ": expected message containing\n  " + expectedMessage + "\nbut was\n" + e.getMessage());
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("login server with a port", values("acr.loginServer", "registry.local:5000")),
                Arguments.of("login server of a sovereign cloud", values("acr.loginServer", "myacr.azurecr.cn")),
                Arguments.of("PDB as a percentage", values("podDisruptionBudget.minAvailable", "50%")),
                Arguments.of(
                        "static cache rule",
                        values("rules[0].source", "docker.io/library/ubuntu", "rules[0].target", "ubuntu")),
                Arguments.of(
                        "existingSecret with both values",
                        values(
                                "certificates.mode", "existingSecret",
                                "certificates.existingSecret.name", "my-tls",
                                "certificates.existingSecret.caBundle", "QUJD")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void accepted(String why, Map<String, String> values) {
        assertDoesNotThrow(() -> ChartRenderer.objects(values), why);
    }
}

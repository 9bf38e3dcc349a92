package io.acrcache.webhook.azure;

import io.acrcache.webhook.azure.RegistrySnapshot.CacheRuleResource;
import io.acrcache.webhook.azure.RegistrySnapshot.CredentialSetResource;
import io.acrcache.webhook.cloud.RegistryResourceId;
import io.acrcache.webhook.outbound.OutboundException;
import io.acrcache.webhook.outbound.OutboundException.Kind;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.acrcache.webhook.azure.FakeTls.await;
import static io.acrcache.webhook.azure.FakeTls.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ARM lists with paging and every failure, against fake Entra and ARM endpoints over real TLS. */
public class ArmRegistryClientTest {
    public static final AzureHttp.Timeouts TIMEOUTS =
            new AzureHttp.Timeouts(Duration.ofSeconds(5), Duration.ofMillis(1500));

    @TempDir
    Path dir;

    private AzureFakes fakes;
    private Vertx vertx;
    private FakeEntra entra;
    private FakeArm arm;
    private EntraTokenSource tokens;
    private ArmRegistryClient client;

    @BeforeEach
    void start() throws Exception {
        fakes = new AzureFakes(dir, TIMEOUTS);
        vertx = fakes.vertx;
        entra = fakes.entra;
        arm = fakes.arm;
        tokens = fakes.tokens;
        client = fakes.client;
    }

    @AfterEach
    void stop() {
        fakes.close();
    }

    @Test
    void listsEveryPageOfRulesAndCredentialSets() {
        RegistrySnapshot snapshot = await(client.fetch());
        assertEquals(
                List.of("dockerhub", "nginx", "quay", "mcr", "ghcr-new", "redis-tagged"),
                snapshot.cacheRules().stream().map(CacheRuleResource::name).toList());
        assertEquals(3, arm.pagesServed("cacheRules"), "6 rules in pages of 2, following nextLink");
        assertEquals(1, arm.pagesServed("credentialSets"));
        CacheRuleResource dockerhub = snapshot.cacheRules().get(0);
        assertEquals("docker.io/*", dockerhub.sourceRepository());
        assertEquals("docker/*", dockerhub.targetRepository());
        assertTrue(dockerhub.id().endsWith("/cacheRules/dockerhub"));
        assertTrue(dockerhub.credentialSetResourceId().endsWith("/credentialSets/dockerhub-creds"));
        assertEquals("Succeeded", dockerhub.provisioningState());
        assertEquals("Creating", snapshot.cacheRules().get(4).provisioningState());

        CredentialSetResource quay = snapshot.credentialSets().get(1);
        assertEquals("quay-creds", quay.name());
        assertEquals("quay.io", quay.loginServer());
        assertFalse(quay.healthy());
        assertEquals(
                "KeyVaultSecretNotFound", quay.authCredentials().get(0).health().errorCode());
        assertTrue(snapshot.credentialSets().get(0).healthy());
        // the mixed-case ID of rule nginx still finds its set
        assertEquals(
                "dockerhub-creds",
                snapshot.credentialSet(snapshot.cacheRules().get(1).credentialSetResourceId())
                        .orElseThrow()
                        .name());
        assertEquals(1, entra.requestsFor(arm.scope()), "one token for all pages");
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource({
        "401, InvalidAuthenticationToken, 'The access token is invalid.', unauthorized",
        "403, AuthorizationFailed, 'The client ''5a1d0e8c'' with object id ''5a1d0e8c'' does not have authorization"
                + " to perform action ''Microsoft.ContainerRegistry/registries/cacheRules/read''.', forbidden",
        "404, ResourceNotFound, 'The Resource ''Microsoft.ContainerRegistry/registries/myRegistry'' under resource group"
                + " ''myResourceGroup'' was not found.', not-found",
        "500, InternalServerError, 'Encountered internal server error.', server-error",
        "503, ServiceUnavailable, 'The service is unavailable.', server-error",
        "400, InvalidRequestContent, 'The request content was invalid.', rejected",
    })
    void armErrorsAreClassifiedWithCodeAndMessage(int status, String code, String message, String cause) {
        arm.faults.put("cacheRules#1", new FakeArm.Status(status, code, message, Map.of()));
        OutboundException e = assertInstanceOf(OutboundException.class, failure(client.fetch()));
        assertEquals(cause, e.kind().label());
        assertEquals(code, e.code());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP " + status), e.getMessage());
        assertTrue(e.describe().startsWith(cause + " " + code + ": "), e.describe());
    }

    @Test
    void throttlingCarriesRetryAfter() {
        arm.faults.put(
                "credentialSets#1",
                new FakeArm.Status(
                        429,
                        "TooManyRequests",
                        "The request is being throttled.",
                        Map.of("Retry-After", "7", "x-ms-ratelimit-remaining-subscription-reads", "0")));
        OutboundException e = assertInstanceOf(OutboundException.class, failure(client.fetch()));
        assertEquals(Kind.THROTTLED, e.kind());
        assertEquals(7, e.retryAfterSeconds().orElseThrow());
    }

    @Test
    void aPageFailingMidwayFailsTheWholeFetch() {
        arm.faults.put("cacheRules#2", new FakeArm.Status(500, "InternalServerError", "boom", Map.of()));
        OutboundException e = assertInstanceOf(OutboundException.class, failure(client.fetch()));
        assertEquals(Kind.SERVER_ERROR, e.kind());
        assertTrue(e.getMessage().contains("cacheRules page 2"), e.getMessage());
        assertEquals(0, arm.pagesServed("credentialSets"));
    }

    @Test
    void aSlowAnswerTimesOut() {
        arm.faults.put("cacheRules#1", new FakeArm.Slow(10_000));
        OutboundException e = assertInstanceOf(OutboundException.class, failure(client.fetch()));
        assertEquals(Kind.TIMEOUT, e.kind());
    }

    @Test
    void aDroppedConnectionIsAConnectionFailure() {
        arm.faults.put("cacheRules#2", new FakeArm.Drop());
        OutboundException e = assertInstanceOf(OutboundException.class, failure(client.fetch()));
        assertEquals(Kind.CONNECTION, e.kind());
    }

    @Test
    void aRefusedConnectionIsAConnectionFailure() {
        ArmRegistryClient nowhere = new ArmRegistryClient(
                FakeTls.client(vertx, TIMEOUTS),
                scope -> io.vertx.core.Future.succeededFuture(
                        new AccessToken("t", java.time.Instant.now().plusSeconds(60))),
                RegistryResourceId.parse(FakeArm.REGISTRY_ID),
                "https://127.0.0.1:1",
                TIMEOUTS,
                Clock.systemUTC());
        OutboundException e = assertInstanceOf(OutboundException.class, failure(nowhere.fetch()));
        assertEquals(Kind.CONNECTION, e.kind());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"value\": [ {\"name\": \"x\"",
                "<html><body>Service Unavailable</body></html>",
                "{\"values\": []}",
                "{\"value\": [ {\"name\": \"x\", \"properties\": {\"sourceRepository\": \"docker.io/a\"}} ]}",
                "{\"value\": [ {\"properties\": {\"sourceRepository\": \"docker.io/a\", \"targetRepository\": \"a\"}} ]}"
            })
    void malformedAnswersAreMalformed(String body) {
        arm.faults.put("cacheRules#1", new FakeArm.Body(body));
        OutboundException e = assertInstanceOf(OutboundException.class, failure(client.fetch()));
        assertEquals(Kind.MALFORMED, e.kind());
    }

    @Test
    void aNextLinkOffTheArmEndpointIsRefusedWithoutSendingTheToken() {
        arm.faults.put(
                "cacheRules#1",
                new FakeArm.Body("{\"value\": [], \"nextLink\": \"https://attacker.example/steal?api-version=1\"}"));
        OutboundException e = assertInstanceOf(OutboundException.class, failure(client.fetch()));
        assertEquals(Kind.MALFORMED, e.kind());
        assertTrue(e.getMessage().contains("nextLink leaves"), e.getMessage());
    }

    @Test
    void noEntraTokenIsATokenFailureNamingEntrasAnswer() {
        entra.override = FakeEntra.error(
                400, "invalid_client", 70021, "No matching federated identity record found for presented assertion.");
        OutboundException e = assertInstanceOf(OutboundException.class, failure(client.fetch()));
        assertEquals(Kind.TOKEN, e.kind());
        assertEquals("invalid_client", e.code());
        assertTrue(e.getMessage().contains("AADSTS70021"), e.getMessage());
        assertEquals(0, arm.requests.size(), "nothing sent to ARM without a token");
    }

    @Test
    void scopeIsTheArmEndpointsDefault() {
        assertEquals(
                "https://management.azure.com/.default", ArmRegistryClient.scopeFor("https://management.azure.com"));
        assertEquals(
                "https://management.chinacloudapi.cn/.default",
                ArmRegistryClient.scopeFor("https://management.chinacloudapi.cn/"));
    }
}

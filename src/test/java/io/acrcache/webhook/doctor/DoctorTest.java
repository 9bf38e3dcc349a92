package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.FakeArm;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per broken link of the chain: the check's status and the fix it names. */
class DoctorTest extends BedTest {

    static Check check(DoctorReport report, String id) {
        return report.checks().stream()
                .filter(c -> c.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no check " + id + " in\n" + report.text()));
    }

    static void assertFix(Check c, String... parts) {
        assertEquals(Check.Status.FAIL, c.status(), c.toString());
        for (String p : parts) {
            assertTrue(c.fix().contains(p), "fix of " + c.id() + " lacks '" + p + "': " + c.fix());
        }
    }

    @Test
    void everyLinkSoundPassesWithExitZero() throws Exception {
        DoctorReport report = bed.run();
        assertEquals(0, report.exitCode(), report.text());
        for (String id : new String[] {
            "identity", "registry", "registry-network", "cache-rules", "cache-rule.dockerhub",
            "credential-set.dockerhub-creds", "cluster-pull", "registry-v2", "registry-token", "pull.dockerhub"
        }) {
            assertEquals(Check.Status.PASS, check(report, id).status(), report.text());
        }
        assertTrue(check(report, "cache-rules").detail().contains("1 of 1,000 cache rules"));
        assertTrue(check(report, "cluster-pull").detail().contains("AcrPull at " + DoctorBed.GROUP));
        assertTrue(check(report, "pull.dockerhub").detail().contains("docker/library/hello-world:latest servable"));
        assertTrue(check(report, "pull.dockerhub").detail().contains("X-Azure-Origin: upstream"));
        assertEquals(0, bed.acr.gets.get(), "never a GET of a manifest: that is a Docker Hub pull");
    }

    @Test
    void noMatchingFederatedCredentialNamesTheCommand() throws Exception {
        bed.azure.entra.refuse(
                400,
                "invalid_client",
                70021,
                "No matching federated identity record found for presented assertion. Assertion Issuer:"
                        + " 'https://oidc.example'. Assertion Subject: 'system:serviceaccount:acw:acr-cache-webhook'.");
        DoctorReport report = bed.run();
        assertFix(
                check(report, "identity"),
                "az identity federated-credential create",
                "--audiences api://AzureADTokenExchange");
        assertTrue(check(report, "identity").detail().contains("AADSTS70021"));
        assertEquals(Check.Status.SKIP, check(report, "registry").status());
        assertEquals(1, report.exitCode());
    }

    @Test
    void loginServerOfAnotherRegistry() throws Exception {
        bed.arm.registry = FakeArm.registryResource("otherregistry.azurecr.io");
        assertFix(check(bed.run(), "registry"), "set acrLoginServer", "otherregistry.azurecr.io");
    }

    @Test
    void registryMissing() throws Exception {
        bed.arm.registry = null;
        assertFix(check(bed.run(), "registry"), "az acr show -n <registry> --query id");
    }

    @Test
    void networkDeniesWithoutTrustedServices() throws Exception {
        JsonObject p = bed.arm.registry.getJsonObject("properties");
        p.getJsonObject("networkRuleSet").put("defaultAction", "Deny");
        p.put("networkRuleBypassOptions", "None");
        Check c = check(bed.run(), "registry-network");
        assertFix(c, "az acr update -n myRegistry --allow-trusted-services true");
        assertTrue(c.detail().contains("cannot fill"));
    }

    @Test
    void publicAccessDisabledSaysWhatTheClusterNeeds() throws Exception {
        bed.arm.registry.getJsonObject("properties").put("publicNetworkAccess", "Disabled");
        Check c = check(bed.run(), "registry-network");
        assertEquals(Check.Status.WARN, c.status());
        assertTrue(c.fix().contains("private endpoint") && c.fix().contains("privatelink."), c.fix());
    }

    @Test
    void configuredRuleMissingInRegistry() throws Exception {
        bed.rules = "[{name: dockerhub, source: 'docker.io/*', target: 'docker/*'},"
                + " {name: ghcr-io, source: 'ghcr.io/*', target: 'ghcr/*'}]";
        assertFix(
                check(bed.run(), "cache-rule.ghcr-io"),
                "az acr cache create -r myRegistry -n ghcr-io -s ghcr.io/* -t ghcr/*");
    }

    @Test
    void ruleNotSucceeded() throws Exception {
        bed.arm.rule("dockerhub").getJsonObject("properties").put("provisioningState", "Failed");
        Check c = check(bed.run(), "cache-rule.dockerhub");
        assertFix(c, "az acr cache show -r myRegistry -n dockerhub", "delete it");
        assertTrue(c.detail().contains("Failed, not Succeeded"));
    }

    @Test
    void dockerHubRuleWithoutCredentialSet() throws Exception {
        bed.arm.rule("dockerhub").getJsonObject("properties").remove("credentialSetResourceId");
        assertFix(
                check(bed.run(), "cache-rule.dockerhub"),
                "az acr credential-set create -r myRegistry",
                "az acr cache update -r myRegistry -n dockerhub -c dockerhub");
    }

    @Test
    void rulesTheConfigurationLacksAreNamedAndCounted() throws Exception {
        bed.arm.cacheRules(new JsonArray()
                .add(DoctorBed.cacheRule("dockerhub", "docker.io/*", "docker/*", DoctorBed.SET_ID))
                .add(DoctorBed.cacheRule("mcr", "mcr.microsoft.com/*", "mcr/*", null)));
        Check c = check(bed.run(), "cache-rules");
        assertEquals(Check.Status.WARN, c.status());
        assertTrue(c.detail().contains("2 of 1,000 cache rules") && c.detail().contains("mcr"), c.detail());
    }

    @Test
    void overlappingWildcards() throws Exception {
        // the configuration alone is valid; with the registry's docker.io/* rule it overlaps
        bed.rules = "[{name: library, source: 'docker.io/library/*', target: 'library/*'}]";
        DoctorReport report = bed.run();
        Check c = check(report, "cache-rules");
        assertFix(c, "az acr cache delete -r myRegistry");
        assertTrue(c.detail().contains("overlap"), c.detail());
    }

    @Test
    void unhealthyCredentialSetWhoseIdentityCannotReadTheVault() throws Exception {
        bed.arm.credentialSets(
                new JsonArray()
                        .add(
                                DoctorBed.credentialSet(
                                        "dockerhub-creds",
                                        "Unhealthy",
                                        "KeyVaultAccessDenied",
                                        "The credential set's identity has no access to https://myvault.vault.azure.net/secrets/password")));
        bed.arm.roleAssignments.removeIf(
                a -> a.getJsonObject("properties").getString("principalId").equals(DoctorBed.SET_PRINCIPAL));
        Check c = check(bed.run(), "credential-set.dockerhub-creds");
        assertFix(
                c,
                "az role assignment create --assignee-object-id " + DoctorBed.SET_PRINCIPAL,
                "--role \"Key Vault Secrets User\"",
                "--scope " + bed.vault.getString("id"));
        assertTrue(c.detail().contains("Unhealthy KeyVaultAccessDenied"), c.detail());
    }

    @Test
    void unhealthyCredentialSetWithoutReadableRolesStillNamesThePrincipal() throws Exception {
        bed.arm.credentialSets(new JsonArray()
                .add(DoctorBed.credentialSet("dockerhub-creds", "Unhealthy", "Forbidden", "access denied")));
        bed.arm.pathFaults.put(
                "/providers/microsoft.authorization/roleassignments",
                FakeArm.authorizationFailed("Microsoft.Authorization/roleAssignments/read", bed.vault.getString("id")));
        Check c = check(bed.run(), "credential-set.dockerhub-creds");
        assertFix(c, "--assignee-object-id " + DoctorBed.SET_PRINCIPAL, "Key Vault Secrets User");
        assertTrue(c.detail().contains("needs Reader on the vault"), c.detail());
    }

    @Test
    void kubeletIdentityWithoutAcrPull() throws Exception {
        bed.arm.roleAssignments.removeIf(
                a -> a.getJsonObject("properties").getString("principalId").equals(DoctorBed.KUBELET));
        assertFix(
                check(bed.run(), "cluster-pull"),
                "az aks update -n mycluster -g aks-rg --attach-acr " + FakeArm.REGISTRY_ID,
                "--assignee-object-id " + DoctorBed.KUBELET
                        + " --assignee-principal-type ServicePrincipal --role AcrPull");
    }

    @Test
    void acrPullInheritedFromTheSubscriptionCounts() throws Exception {
        bed.arm.roleAssignments.clear();
        bed.arm.roleAssignments.add(FakeArm.roleAssignment(FakeArm.SUBSCRIPTION, FakeArm.ACR_PULL, DoctorBed.KUBELET));
        // AcrPull on another registry does not
        bed.arm.roleAssignments.add(FakeArm.roleAssignment(
                DoctorBed.GROUP + "/providers/Microsoft.ContainerRegistry/registries/myRegistry2",
                FakeArm.ACR_PULL,
                DoctorBed.KUBELET));
        assertEquals(Check.Status.PASS, check(bed.run(), "cluster-pull").status());
    }

    @Test
    void roleAssignmentsUnreadableIsAWarningNotAFailure() throws Exception {
        bed.arm.pathFaults.put(
                "/providers/microsoft.authorization/roleassignments",
                FakeArm.authorizationFailed("Microsoft.Authorization/roleAssignments/read", FakeArm.REGISTRY_ID));
        DoctorReport report = bed.run();
        Check c = check(report, "cluster-pull");
        assertEquals(Check.Status.WARN, c.status(), report.text());
        assertTrue(c.detail().contains("AuthorizationFailed"), c.detail());
        assertTrue(c.fix().contains("--role Reader --scope " + FakeArm.REGISTRY_ID), c.fix());
        assertEquals(0, report.exitCode(), report.text());
    }

    @Test
    void credentialSetRefusedUpstream() throws Exception {
        bed.acr.manifests.put(
                "docker/library/hello-world:latest",
                FakeLoginServer.status(
                        401,
                        "Www-Authenticate",
                        "Bearer realm=\"x\",error=\"unauthorized\",error_description=\"authentication required with"
                                + " source registry for cache rule 'dockerhub'\""));
        Check c = check(bed.run(), "pull.dockerhub");
        assertFix(c, "az acr credential-set show -r myRegistry -n dockerhub-creds");
        assertTrue(c.detail().contains("HTTP 401") && c.detail().contains("source registry"), c.detail());
    }

    @Test
    void upstreamUnreachable() throws Exception {
        bed.acr.manifests.put("docker/library/hello-world:latest", FakeLoginServer.status(424, null, null));
        assertFix(check(bed.run(), "pull.dockerhub"), "--allow-trusted-services true");
    }

    @Test
    void tokenExchangeRefused() throws Exception {
        bed.acr.refuseExchange = true;
        DoctorReport report = bed.run();
        assertFix(
                check(report, "registry-token"),
                "az role assignment create --assignee " + bed.env().get("AZURE_CLIENT_ID") + " --role AcrPull");
        assertTrue(report.checks().stream().noneMatch(c -> c.id().startsWith("pull.")));
    }

    @Test
    void configuredCanaryIsProbed() throws Exception {
        bed.extraConfig = "guard: {canaries: {dockerhub: 'docker.io/library/busybox:1.36'}}\n";
        bed.acr.manifests.put("docker/library/busybox:1.36", FakeLoginServer.status(404, null, null));
        Check c = check(bed.run(), "pull.dockerhub");
        assertFix(c, "guard.canaries.dockerhub");
        assertTrue(c.detail().contains("docker/library/busybox:1.36"), c.detail());
    }

    @Test
    void withoutAClusterItsCheckIsSkipped() throws Exception {
        DoctorReport report = bed.doctor()
                .run(bed.config(), null)
                .toCompletionStage()
                .toCompletableFuture()
                .get();
        assertEquals(Check.Status.SKIP, check(report, "cluster-pull").status());
        assertTrue(check(report, "cluster-pull").detail().contains("ACW_REGISTRY_CLUSTER_RESOURCE_ID"));
    }

    @Test
    void jsonShape() throws Exception {
        bed.arm.registry = FakeArm.registryResource("otherregistry.azurecr.io");
        JsonObject json = new JsonObject(bed.run().json());
        JsonArray checks = json.getJsonArray("checks");
        for (int i = 0; i < checks.size(); i++) {
            JsonObject c = checks.getJsonObject(i);
            assertEquals(java.util.Set.of("id", "title", "status", "detail", "fix"), c.fieldNames(), c.encode());
            if (c.getString("status").equals("fail")) {
                assertTrue(!c.getString("fix").isBlank());
            }
        }
    }
}

package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.RegistrySnapshot.AuthCredential;
import io.acrcache.webhook.azure.RegistrySnapshot.CredentialSetResource;
import io.acrcache.webhook.cloud.RegistryResourceId;
import io.vertx.core.Future;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Links 1 and 2, the Key Vault and the credential set: each credential set a rule uses is {@code Healthy}. For one that
 * is not, the set's own identity (its principal id, read from the set) and its vault are named, and where the doctor
 * may read the vault's role assignments it checks whether that identity can read the secrets.
 */
final class CredentialSetChecks {
    /** Roles whose data actions include reading secrets. */
    static final Set<String> SECRET_READERS = Set.of(
            "4633458b-17de-408a-b874-0445c86b69e6", // Key Vault Secrets User
            "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", // Key Vault Secrets Officer
            "00482a5a-887f-4fb3-b363-3b7fe8e74483"); // Key Vault Administrator

    private CredentialSetChecks() {}

    static Future<List<Check>> run(Chain chain) {
        if (chain.snapshot == null) {
            return Future.succeededFuture(List.of());
        }
        List<Future<Check>> checks = new ArrayList<>();
        for (CredentialSetResource set : chain.snapshot.credentialSets()) {
            boolean used = chain.snapshot.cacheRules().stream()
                    .anyMatch(r -> set.id() != null
                            && RegistryResourceId.normalize(set.id())
                                    .equals(RegistryResourceId.normalize(r.credentialSetResourceId())));
            if (used) {
                checks.add(one(chain, set)
                        .otherwise(e -> Check.warn(
                                "credential-set." + set.name(),
                                "Credential set " + set.name(),
                                "check did not complete: " + e,
                                null)));
            }
        }
        return Future.all(checks).map(all -> all.<Check>list());
    }

    /** What a credential set's ARM resource adds to the list entry: its identity and the vault of its secrets. */
    record Details(String principalId, String vault, String usernameSecret, String passwordSecret) {}

    private static Future<Check> one(Chain chain, CredentialSetResource set) {
        String path = chain.registry.path() + "/credentialSets/" + set.name();
        return chain.arm
                .get(path, ArmReader.REGISTRY_API, null)
                .map(CredentialSetChecks::details)
                .otherwise(e -> null)
                .compose(
                        d -> d == null || d.principalId().isEmpty() || d.vault().isEmpty()
                                ? Future.succeededFuture(verdict(chain, set, d, null))
                                : vaultAccess(chain, d).map(access -> verdict(chain, set, d, access)));
    }

    static Details details(JsonNode set) {
        JsonNode credential = set.path("properties").path("authCredentials").path(0);
        String user = RegistryChecks.text(credential.path("usernameSecretIdentifier"));
        String password = RegistryChecks.text(credential.path("passwordSecretIdentifier"));
        String host = ArmReader.host(password.isEmpty() ? user : password);
        int dot = host.indexOf('.');
        return new Details(
                RegistryChecks.text(set.path("identity").path("principalId")),
                dot < 0 ? host : host.substring(0, dot),
                user,
                password);
    }

    /** What the vault's role assignments say, as far as they can be read. */
    record Access(Boolean granted, String vaultId, String note) {}

    /** Finds the vault in the registry's subscription, then the principal's role assignments on it. */
    private static Future<Access> vaultAccess(Chain chain, Details d) {
        String filter = "resourceType eq 'Microsoft.KeyVault/vaults' and name eq '" + d.vault() + "'";
        return chain.arm
                .list(
                        "/subscriptions/" + chain.registry.subscriptionId() + "/resources",
                        ArmReader.RESOURCES_API,
                        "$filter=" + encode(filter))
                .compose(found -> {
                    if (found.isEmpty()) {
                        return Future.succeededFuture(new Access(
                                null, null, "vault " + d.vault() + " is not in the registry's subscription"));
                    }
                    String vaultId = RegistryChecks.text(found.get(0).path("id"));
                    return chain.arm
                            .list(
                                    vaultId + "/providers/Microsoft.Authorization/roleAssignments",
                                    ArmReader.ROLE_ASSIGNMENTS_API,
                                    "$filter=" + encode("principalId eq '" + d.principalId() + "'"))
                            .map(list -> new Access(
                                    list.stream()
                                            .anyMatch(a ->
                                                    SECRET_READERS.contains(ArmReader.lastSegment(RegistryChecks.text(
                                                            a.path("properties").path("roleDefinitionId"))))),
                                    vaultId,
                                    null))
                            .otherwise(e -> new Access(
                                    null,
                                    vaultId,
                                    ArmReader.denied(e)
                                            ? "cannot read the vault's role assignments (needs Reader on the vault)"
                                            : "cannot read the vault's role assignments: " + ArmReader.describe(e)));
                })
                .otherwise(e -> new Access(null, null, "cannot look the vault up: " + ArmReader.describe(e)));
    }

    static Check verdict(Chain chain, CredentialSetResource set, Details d, Access access) {
        String id = "credential-set." + set.name();
        String title = "Credential set " + set.name();
        String who = d == null || d.principalId().isEmpty()
                ? "the credential set's identity (az acr credential-set show -r " + chain.registryName() + " -n "
                        + set.name() + " --query identity.principalId)"
                : d.principalId();
        String vault = d == null || d.vault().isEmpty() ? "<vault>" : d.vault();
        String scope = access != null && access.vaultId() != null
                ? access.vaultId()
                : "$(az keyvault show -n " + vault + " --query id -o tsv)";
        String grant = "az role assignment create --assignee-object-id " + who
                + " --assignee-principal-type ServicePrincipal --role \"Key Vault Secrets User\" --scope " + scope;
        String note = access == null || access.note() == null ? "" : "; " + access.note();
        boolean missingRole = access != null && Boolean.FALSE.equals(access.granted());
        if (set.healthy() && !missingRole) {
            return Check.pass(
                    id,
                    title,
                    "Healthy (" + set.loginServer() + ")"
                            + (access != null && Boolean.TRUE.equals(access.granted())
                                    ? "; its identity may read the secrets of vault " + vault
                                    : note));
        }
        String health = set.firstUnhealthy().map(CredentialSetChecks::health).orElse("Healthy");
        if (missingRole) {
            return Check.fail(
                    id,
                    title,
                    health + "; its identity " + who + " holds no role that reads secrets on vault " + vault,
                    grant);
        }
        boolean secretMissing = health.toLowerCase(java.util.Locale.ROOT).contains("not found")
                && access != null
                && Boolean.TRUE.equals(access.granted());
        if (secretMissing) {
            return Check.fail(
                    id,
                    title,
                    health,
                    "store the Docker Hub user name and access token: az keyvault secret set --vault-name " + vault
                            + " --name <secret> --value <value> (secrets " + d.usernameSecret() + ", "
                            + d.passwordSecret() + ")");
        }
        return Check.fail(
                id,
                title,
                health + "; when its identity " + who + " cannot read Key Vault " + vault + " ACR cannot log in"
                        + " upstream" + note,
                grant + " (and check that the secrets exist and hold a valid Docker Hub access token)");
    }

    private static String health(AuthCredential c) {
        if (c.health() == null) {
            return "no credential health reported";
        }
        return c.health().status()
                + (c.health().errorCode() == null ? "" : " " + c.health().errorCode())
                + (c.health().errorMessage() == null ? "" : ": " + c.health().errorMessage());
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

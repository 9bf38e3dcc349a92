package io.acrcache.webhook.doctor;

import io.acrcache.webhook.cloud.RegistryResourceId;
import io.vertx.core.Future;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Link 4, the cluster's pull permission: the AKS kubelet identity ({@code identityProfile.kubeletidentity.objectId})
 * holds AcrPull on the registry, assigned there or inherited from its resource group or subscription (or above).
 */
final class ClusterPullCheck {
    static final String ID = "cluster-pull";
    static final String TITLE = "Cluster may pull from the registry (kubelet identity)";
    static final String ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
    /** Roles that also let an identity pull (registries in the default "RBAC registry permissions" mode). */
    static final Map<String, String> ALSO_PULL = Map.of(
            "8311e382-0749-4cb8-b61a-304f252e45ec", "AcrPush",
            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner",
            "b24988ac-6180-42a0-ab88-6e8127c8b8c7", "Contributor",
            "acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader");

    private ClusterPullCheck() {}

    static Future<List<Check>> run(Chain chain) {
        if (chain.clusterId == null) {
            return one(Check.skip(
                    ID, TITLE, "no cluster: pass --aks-resource-id or set ACW_REGISTRY_CLUSTER_RESOURCE_ID"));
        }
        if (chain.arm == null || !chain.armToken) {
            return one(
                    Check.skip(ID, TITLE, chain.arm == null ? "registry.resourceId is not set" : "needs an ARM token"));
        }
        String cluster = chain.clusterId;
        return chain.arm.get(cluster, ArmReader.MANAGED_CLUSTERS_API, null).transform(ar -> {
            if (ar.failed()) {
                return one(clusterUnreadable(chain, ar.cause()));
            }
            JsonNode kubelet =
                    ar.result().path("properties").path("identityProfile").path("kubeletidentity");
            String objectId = RegistryChecks.text(kubelet.path("objectId"));
            if (objectId.isEmpty()) {
                return one(Check.warn(
                        ID,
                        TITLE,
                        "the cluster has no kubelet managed identity (a service-principal cluster?)",
                        "grant the cluster's service principal AcrPull: az aks update -n " + name(cluster) + " -g "
                                + group(cluster) + " --attach-acr " + chain.registry.path()));
            }
            return chain.arm
                    .list(
                            chain.registry.path() + "/providers/Microsoft.Authorization/roleAssignments",
                            ArmReader.ROLE_ASSIGNMENTS_API,
                            "$filter=" + CredentialSetChecks.encode("principalId eq '" + objectId + "'"))
                    .transform(list -> one(
                            list.succeeded()
                                    ? verdict(chain, objectId, list.result())
                                    : assignmentsUnreadable(chain, objectId, list.cause())));
        });
    }

    private static Future<List<Check>> one(Check c) {
        return Future.succeededFuture(List.of(c));
    }

    private static Check clusterUnreadable(Chain chain, Throwable e) {
        if (ArmReader.denied(e)) {
            return Check.warn(
                    ID,
                    TITLE,
                    "the identity may not read the cluster (" + ArmReader.describe(e) + ")",
                    "az role assignment create --assignee " + chain.clientId() + " --role Reader --scope "
                            + chain.clusterId);
        }
        if (ArmReader.notFound(e)) {
            return Check.fail(
                    ID,
                    TITLE,
                    "no cluster " + chain.clusterId + " (" + ArmReader.describe(e) + ")",
                    "pass the cluster's id: --aks-resource-id $(az aks show -n <cluster> -g <group> --query id -o"
                            + " tsv)");
        }
        return Check.warn(ID, TITLE, "cannot read the cluster: " + ArmReader.describe(e), "run the doctor again");
    }

    private static Check assignmentsUnreadable(Chain chain, String objectId, Throwable e) {
        return Check.warn(
                ID,
                TITLE,
                "kubelet identity " + objectId + "; the identity may not read the registry's role assignments ("
                        + ArmReader.describe(e) + "), so AcrPull cannot be checked",
                "grant the webhook identity Reader on the registry (its role assignments are then readable): "
                        + RegistryChecks.grantReader(chain) + ", or check by hand: az role assignment list --assignee "
                        + objectId + " --scope " + chain.registry.path() + " --include-inherited");
    }

    static Check verdict(Chain chain, String objectId, List<JsonNode> assignments) {
        String registry = RegistryResourceId.normalize(chain.registry.path());
        Optional<String> acrPull = Optional.empty();
        Optional<String> other = Optional.empty();
        for (JsonNode a : assignments) {
            JsonNode p = a.path("properties");
            String scope = RegistryChecks.text(p.path("scope"));
            if (!covers(scope, registry) || !objectId.equalsIgnoreCase(RegistryChecks.text(p.path("principalId")))) {
                continue;
            }
            String role = ArmReader.lastSegment(RegistryChecks.text(p.path("roleDefinitionId")))
                    .toLowerCase(Locale.ROOT);
            if (role.equals(ACR_PULL)) {
                acrPull = Optional.of("AcrPull at " + scope);
            } else if (ALSO_PULL.containsKey(role)) {
                other = Optional.of(ALSO_PULL.get(role) + " at " + scope);
            }
        }
        if (acrPull.isPresent() || other.isPresent()) {
            return Check.pass(ID, TITLE, "kubelet identity " + objectId + " holds " + acrPull.orElseGet(other::get));
        }
        String cluster = chain.clusterId;
        return Check.fail(
                ID,
                TITLE,
                "kubelet identity " + objectId + " holds no AcrPull on " + chain.registry.registryName()
                        + " (nor on its resource group or subscription): Pods get 401 Unauthorized and ImagePullBackOff",
                "az aks update -n " + name(cluster) + " -g " + group(cluster) + " --attach-acr " + chain.registry.path()
                        + " (or: az role assignment create --assignee-object-id " + objectId
                        + " --assignee-principal-type ServicePrincipal --role AcrPull --scope " + chain.registry.path()
                        + ")");
    }

    /** An assignment at the registry, its group, its subscription, a management group or the root reaches it. */
    static boolean covers(String scope, String registry) {
        String s = RegistryResourceId.normalize(scope);
        if (s == null || s.isEmpty() || s.equals("/")) {
            return s != null;
        }
        return registry.equals(s) || registry.startsWith(s + "/") || s.startsWith("/providers/microsoft.management/");
    }

    private static String segmentAfter(String id, String key) {
        String[] parts = id.split("/");
        for (int i = 0; i + 1 < parts.length; i++) {
            if (parts[i].equalsIgnoreCase(key)) {
                return parts[i + 1];
            }
        }
        return "<" + key + ">";
    }

    private static String name(String clusterId) {
        return segmentAfter(clusterId, "managedClusters");
    }

    private static String group(String clusterId) {
        return segmentAfter(clusterId, "resourceGroups");
    }
}

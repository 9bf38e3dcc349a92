package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.ArmRegistryClient;
import io.acrcache.webhook.azure.RegistrySnapshot;
import io.acrcache.webhook.azure.RegistrySnapshot.CacheRuleResource;
import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rules.RuleSet;
import io.vertx.core.Future;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Link 3, the cache rules: every configured rule exists in the registry and is {@code Succeeded}, the registry's other
 * rules are named, the count is shown against ACR's limit, wildcards do not overlap, and a Docker Hub rule has a
 * credential set.
 */
final class RuleChecks {
    static final String ID = "cache-rules";
    static final String TITLE = "Cache rules";
    /** ACR's limit of cache rules per registry. */
    static final int LIMIT = 1000;

    private RuleChecks() {}

    static Future<List<Check>> run(Chain chain) {
        if (chain.arm == null || !chain.armToken) {
            return Future.succeededFuture(List.of(Check.skip(
                    ID, TITLE, chain.arm == null ? "registry.resourceId is not set" : "needs an ARM token")));
        }
        ArmRegistryClient client = new ArmRegistryClient(
                chain.azureClient,
                chain.tokens,
                chain.registry,
                chain.settings.registry().armEndpoint(),
                chain.options.timeouts(),
                Clock.systemUTC());
        return client.fetch().transform(ar -> {
            if (ar.failed()) {
                Throwable e = ar.cause();
                return Future.succeededFuture(List.of(
                        ArmReader.denied(e)
                                ? Check.warn(
                                        ID,
                                        TITLE,
                                        "the identity may not list cache rules and credential sets ("
                                                + ArmReader.describe(e) + ")",
                                        RegistryChecks.grantReader(chain))
                                : Check.warn(
                                        ID,
                                        TITLE,
                                        "cannot list the cache rules: " + ArmReader.describe(e),
                                        "run the doctor again")));
            }
            chain.snapshot = ar.result();
            return Future.succeededFuture(check(chain, ar.result()));
        });
    }

    static List<Check> check(Chain chain, RegistrySnapshot snapshot) {
        List<Check> out = new ArrayList<>();
        Map<String, CacheRule> configured = new LinkedHashMap<>();
        chain.settings.rules().forEach(r -> configured.put(r.name(), r));
        List<String> notConfigured = new ArrayList<>();
        for (CacheRuleResource r : snapshot.cacheRules()) {
            if (configured.values().stream().noneMatch(c -> same(c, r))) {
                notConfigured.add(r.name());
            }
        }
        out.add(summary(chain, snapshot, configured, notConfigured));
        for (CacheRule rule : configured.values()) {
            Optional<CacheRuleResource> found =
                    snapshot.cacheRules().stream().filter(r -> same(rule, r)).findFirst();
            out.add(one(chain, snapshot, rule.name(), rule, found.orElse(null)));
        }
        if (chain.settings.registry().ruleSync()) {
            // the webhook imports these too, so they are links of the chain as well
            for (CacheRuleResource r : snapshot.cacheRules()) {
                if (notConfigured.contains(r.name())) {
                    out.add(one(chain, snapshot, r.name(), null, r));
                }
            }
        }
        return out;
    }

    private static Check summary(
            Chain chain, RegistrySnapshot snapshot, Map<String, CacheRule> configured, List<String> notConfigured) {
        int count = snapshot.cacheRules().size();
        String counts = count + " of " + String.format("%,d", LIMIT) + " cache rules in the registry, "
                + configured.size() + " configured";
        List<CacheRule> union = new ArrayList<>();
        snapshot.cacheRules()
                .forEach(r -> union.add(new CacheRule(r.name(), r.sourceRepository(), r.targetRepository())));
        configured.values().stream()
                .filter(c -> snapshot.cacheRules().stream().noneMatch(r -> same(c, r)))
                .forEach(union::add);
        List<String> errors = new ArrayList<>();
        RuleSet.compile(union, DockerHubHosts.of(chain.settings.dockerHubHosts()), errors);
        List<String> overlaps =
                errors.stream().filter(e -> e.contains("overlap")).toList();
        if (!overlaps.isEmpty()) {
            return Check.fail(
                    ID,
                    TITLE,
                    counts + "; " + String.join("; ", overlaps),
                    "keep one of each overlapping pair: az acr cache delete -r " + chain.registryName()
                            + " -n <rule>, or narrow its wildcard");
        }
        if (count >= LIMIT * 95 / 100) {
            return Check.warn(
                    ID,
                    TITLE,
                    counts + ": close to ACR's limit",
                    "replace static rules by wildcard rules (e.g. docker.io/library/* → docker/library/*)");
        }
        if (!notConfigured.isEmpty() && !chain.settings.registry().ruleSync()) {
            return Check.warn(
                    ID,
                    TITLE,
                    counts + "; not in the configuration, so never rewritten to: " + String.join(", ", notConfigured),
                    "add them to rules (az acr cache list -r " + chain.registryName()
                            + " -o json gives name, sourceRepository, targetRepository) or set registry.ruleSync: true");
        }
        return Check.pass(
                ID,
                TITLE,
                counts
                        + (notConfigured.isEmpty()
                                ? ""
                                : "; imported from the registry: " + String.join(", ", notConfigured)));
    }

    /** A configured rule is the registry's rule of the same name, or the one with its source and target. */
    private static boolean same(CacheRule c, CacheRuleResource r) {
        return c.name().equalsIgnoreCase(r.name())
                || (c.source().equalsIgnoreCase(r.sourceRepository())
                        && c.target().equalsIgnoreCase(r.targetRepository()));
    }

    private static Check one(
            Chain chain, RegistrySnapshot snapshot, String name, CacheRule configured, CacheRuleResource found) {
        String id = "cache-rule." + name;
        String title = "Cache rule " + name;
        String reg = chain.registryName();
        if (found == null) {
            boolean hub = dockerHub(chain, configured.source());
            return Check.fail(
                    id,
                    title,
                    "configured (" + configured.source() + " → " + configured.target() + ") but not in registry " + reg
                            + ": images rewritten by it cannot be pulled",
                    "az acr cache create -r " + reg + " -n " + acrName(name) + " -s " + configured.source() + " -t "
                            + configured.target() + (hub ? " -c <credential set>" : ""));
        }
        String mapping = found.sourceRepository() + " → " + found.targetRepository();
        if (configured != null && !configured.target().equalsIgnoreCase(found.targetRepository())) {
            return Check.fail(
                    id,
                    title,
                    "the registry maps " + mapping + ", the configuration " + configured.source() + " → "
                            + configured.target(),
                    "set the rule's target to " + found.targetRepository()
                            + " in the configuration (ACR cannot change a rule's target)");
        }
        if (!found.succeeded()) {
            return Check.fail(
                    id,
                    title,
                    mapping + " is " + found.provisioningState() + ", not Succeeded",
                    "az acr cache show -r " + reg + " -n " + found.name() + "; if it stays " + found.provisioningState()
                            + ", delete it (az acr cache delete) and create it again");
        }
        String set = found.credentialSetResourceId();
        if (dockerHub(chain, found.sourceRepository()) && (set == null || set.isBlank())) {
            return Check.fail(
                    id,
                    title,
                    mapping + " has no credential set: Docker Hub serves authenticated pulls only",
                    "az acr credential-set create -r " + reg + " -n dockerhub -l docker.io -u"
                            + " https://<vault>.vault.azure.net/secrets/<username secret> -p"
                            + " https://<vault>.vault.azure.net/secrets/<token secret>, grant its identity Key Vault"
                            + " Secrets User on the vault, then az acr cache update -r " + reg + " -n " + found.name()
                            + " -c dockerhub");
        }
        if (set != null && !set.isBlank() && snapshot.credentialSet(set).isEmpty()) {
            return Check.fail(
                    id,
                    title,
                    mapping + " refers to credential set " + ArmReader.lastSegment(set) + ", which does not exist",
                    "az acr credential-set create -r " + reg + " -n " + ArmReader.lastSegment(set)
                            + " -l <upstream> -u <username secret URI> -p <password secret URI>");
        }
        return Check.pass(
                id,
                title,
                mapping + ", Succeeded"
                        + (set == null || set.isBlank() ? "" : ", credential set " + ArmReader.lastSegment(set)));
    }

    private static boolean dockerHub(Chain chain, String source) {
        int slash = source.indexOf('/');
        String host = slash < 0 ? source : source.substring(0, slash);
        return DockerHubHosts.of(chain.settings.dockerHubHosts()).isDockerHub(host);
    }

    /** Hand-written rules are named by position ({@code rules[3]}); ACR names are letters, digits and dashes. */
    private static String acrName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9-]", "-").replaceAll("-+", "-").replaceAll("^-|-$", "");
        return s.length() >= 5 ? s : "<rule name>";
    }
}

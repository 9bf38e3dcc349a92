package io.acrcache.webhook.rules;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.image.ImageReferenceParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuleSetTest {
    private static final ImageReferenceParser PARSER = new ImageReferenceParser(DockerHubHosts.defaults());

    private static RuleSet rules(String... sourceTargetPairs) {
        List<CacheRule> list = new ArrayList<>();
        for (int i = 0; i < sourceTargetPairs.length; i += 2) {
            list.add(new CacheRule("r" + i / 2, sourceTargetPairs[i], sourceTargetPairs[i + 1]));
        }
        return RuleSet.compile(list, DockerHubHosts.defaults());
    }

    /** Every problem of an invalid set; the set itself is refused (null). */
    private static List<String> errorsOf(String... sourceTargetPairs) {
        List<CacheRule> list = new ArrayList<>();
        for (int i = 0; i < sourceTargetPairs.length; i += 2) {
            list.add(new CacheRule("r" + i / 2, sourceTargetPairs[i], sourceTargetPairs[i + 1]));
        }
        List<String> errors = new ArrayList<>();
        assertNull(RuleSet.compile(list, DockerHubHosts.defaults(), errors));
        assertFalse(errors.isEmpty());
        assertThrows(IllegalArgumentException.class, () -> RuleSet.compile(list, DockerHubHosts.defaults()));
        return errors;
    }

    private static String target(RuleSet set, String image) throws Exception {
        return set.match(PARSER.parse(image))
                .map(m -> m.rule().name() + ":" + m.targetRepository())
                .orElse("none");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // image,                                   expected rule:target repository
        "nginx:1.25,                                 r1:nginx",
        "docker.io/library/nginx,                    r1:nginx",
        "nginx/nginx-ingress,                        r0:docker/nginx/nginx-ingress",
        "library/nginx-unprivileged,                 r0:docker/library/nginx-unprivileged",
        "bitnami/redis:7,                            r0:docker/bitnami/redis",
        "registry-1.docker.io/bitnami/redis:7,       r0:docker/bitnami/redis",
        "busybox,                                    r0:docker/library/busybox",
        "ghcr.io/org/app:v1,                         r2:ghcr/org/app",
        "ghcr.io/org/team/app,                       r2:ghcr/org/team/app",
        "quay.io/prometheus/node-exporter,           r3:prom/node-exporter",
        "quay.io/prometheus,                         none",
        "quay.io/prometheusx/node-exporter,          none",
        "mcr.microsoft.com/dotnet/aspnet:8.0,        r4:dotnet-aspnet",
        "mcr.microsoft.com/dotnet/aspnet/extra,      none",
        "registry.k8s.io/pause:3.9,                  none",
        "localhost:5000/nginx,                       none",
    })
    void matchesLikeAcr(String image, String expected) throws Exception {
        RuleSet set = rules(
                "docker.io/*", "docker/*",
                "docker.io/library/nginx", "nginx",
                "ghcr.io/*", "ghcr/*",
                "quay.io/prometheus/*", "prom/*",
                "mcr.microsoft.com/dotnet/aspnet", "dotnet-aspnet");
        assertEquals(expected, target(set, image));
    }

    @Test
    void targetStarMapsToRegistryRoot() throws Exception {
        assertEquals("r0:library/nginx", target(rules("docker.io/*", "*"), "nginx"));
    }

    @Test
    void hubAliasInSourceIsDockerHub() throws Exception {
        assertEquals("r0:hub/library/nginx", target(rules("index.docker.io/*", "hub/*"), "nginx"));
        assertEquals("r0:ubuntu", target(rules("docker.io/ubuntu", "ubuntu"), "ubuntu:24.04"));
    }

    @Test
    void overlappingWildcardsAreRefusedNamingBothRules() {
        List<String> errors = errorsOf("docker.io/*", "docker/*", "docker.io/library/*", "library/*");
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(
                errors.get(0).contains("r0")
                        && errors.get(0).contains("r1")
                        && errors.get(0).contains("sources"),
                errors.toString());
    }

    @Test
    void overlappingWildcardTargetsAreRefused() {
        List<String> errors = errorsOf("docker.io/*", "library/*", "ghcr.io/dotnet/*", "library/dotnet/*");
        assertTrue(errors.get(0).contains("targets"), errors.toString());
    }

    @Test
    void siblingWildcardsDoNotOverlap() throws Exception {
        RuleSet set = rules("docker.io/library/*", "lib/*", "docker.io/librarything/*", "thing/*");
        assertEquals("r0:lib/nginx", target(set, "nginx"));
        assertEquals("r1:thing/x", target(set, "librarything/x"));
    }

    @Test
    void everyBadRuleIsReportedWithItsNameAndField() {
        List<String> errors = errorsOf(
                "docker.io/*", "docker/library", // wildcard vs static
                "nginx", "nginx", // no registry
                "docker.io/library/nginx:1.25", "nginx", // tag in source
                "docker.io/library/redis", "Redis", // uppercase target
                "Docker.io/library/ubuntu", "ubuntu", // uppercase registry
                "", "x");
        assertEquals(6, errors.size(), errors.toString());
        for (int i = 0; i < errors.size(); i++) {
            assertTrue(errors.get(i).startsWith("rule r" + i + ":"), errors.get(i));
        }
        assertTrue(errors.get(0).contains("wildcards"));
        assertTrue(errors.get(1).contains("registry"));
        assertTrue(errors.get(2).contains("without tag"));
        assertTrue(errors.get(3).contains("target"));
        assertTrue(errors.get(4).contains("lowercase"));
        assertTrue(errors.get(5).contains("source is missing"));
    }

    @Test
    void duplicateStaticRulesAreRefused() {
        List<String> errors = errorsOf("docker.io/library/nginx", "nginx", "docker.io/nginx", "nginx2");
        assertTrue(errors.get(0).contains("both have the source"), errors.toString());
    }

    @Test
    void staticRuleIsExactlyOneRepository() throws Exception {
        RuleSet set = rules("docker.io/bitnami/redis", "redis");
        assertEquals("r0:redis", target(set, "bitnami/redis:7"));
        assertEquals("none", target(set, "bitnami/redis-cluster"));
        assertEquals("none", target(set, "bitnami/redis/sub"));
    }

    @Test
    void lookupsByTargetNameAndUpstream() throws Exception {
        RuleSet set = rules(
                "docker.io/*", "docker/*",
                "docker.io/library/ubuntu", "docker/library/ubuntu",
                "quay.io/*", "quay/*");
        // a static target beats the wildcard whose prefix also holds it, as in ACR
        assertEquals(
                "r1",
                set.byTarget("docker/library/ubuntu").map(CompiledRule::name).orElse("none"));
        assertEquals(
                "r0",
                set.byTarget("docker/library/nginx").map(CompiledRule::name).orElse("none"));
        assertEquals("none", set.byTarget("dockerx/app").map(CompiledRule::name).orElse("none"));
        assertEquals(
                "r2",
                set.byTarget("quay/prometheus/node-exporter")
                        .map(CompiledRule::name)
                        .orElse("none"));
        assertEquals("none", set.byTarget("quay").map(CompiledRule::name).orElse("none"));
        assertEquals("docker.io/*", set.byName("r0").orElseThrow().rule().source());
        assertTrue(set.byName("nope").isEmpty());
        assertTrue(set.hasUpstream("docker.io"));
        assertTrue(set.hasUpstream("quay.io"));
        assertTrue(!set.hasUpstream("ghcr.io"));
    }
}

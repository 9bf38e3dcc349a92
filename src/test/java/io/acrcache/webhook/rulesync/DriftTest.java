package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rules.RuleSet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** File rules vs registry rules, matched by normalized source. */
class DriftTest {
    private static RuleSet rules(CacheRule... rules) throws Exception {
        return RuleSet.compile(List.of(rules), DockerHubHosts.defaults());
    }

    @Test
    void dockerHubSpellingsAreTheSameSource() throws Exception {
        Drift drift = Drift.between(
                rules(
                        new CacheRule("rules[0]", "docker.io/nginx", "nginx"),
                        new CacheRule("rules[1]", "index.docker.io/*", "docker/*")),
                rules(
                        new CacheRule("nginx", "docker.io/library/nginx", "nginx"),
                        new CacheRule("hub", "docker.io/*", "docker/*")));
        assertTrue(drift.none(), drift.toString());
    }

    @Test
    void reportsOnlyInFileOnlyInRegistryAndDifferentTargets() throws Exception {
        CacheRule fileNginx = new CacheRule("rules[0]", "docker.io/library/nginx", "nginx");
        CacheRule fileQuay = new CacheRule("rules[1]", "quay.io/*", "quay/*");
        CacheRule fileRedis = new CacheRule("rules[2]", "docker.io/library/redis", "redis");
        CacheRule armNginx = new CacheRule("nginx", "docker.io/nginx", "hub/nginx");
        CacheRule armMcr = new CacheRule("mcr", "mcr.microsoft.com/*", "mcr/*");
        CacheRule armRedis = new CacheRule("redis", "docker.io/library/redis", "redis");
        Drift drift = Drift.between(rules(fileNginx, fileQuay, fileRedis), rules(armNginx, armMcr, armRedis));
        assertEquals(List.of(fileQuay), drift.onlyInFile());
        assertEquals(List.of(armMcr), drift.onlyInRegistry());
        assertEquals(List.of(new Drift.TargetMismatch(fileNginx, armNginx)), drift.differentTargets());
    }

    @Test
    void aStaticAndAWildcardForTheSamePathAreDifferentSources() throws Exception {
        Drift drift = Drift.between(
                rules(new CacheRule("a", "docker.io/library/*", "library/*")),
                rules(new CacheRule("b", "docker.io/library/alpine", "library/alpine")));
        assertEquals(1, drift.onlyInFile().size());
        assertEquals(1, drift.onlyInRegistry().size());
    }
}

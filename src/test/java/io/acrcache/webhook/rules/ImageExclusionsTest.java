package io.acrcache.webhook.rules;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.image.ImageReferenceParser;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageExclusionsTest {
    private static final ImageReferenceParser PARSER = new ImageReferenceParser(DockerHubHosts.defaults());

    private static boolean excluded(List<String> patterns, String image) throws Exception {
        List<String> errors = new ArrayList<>();
        ImageExclusions exclusions = ImageExclusions.compile(patterns, errors);
        assertEquals(List.of(), errors);
        return exclusions.excludes(PARSER.parse(image));
    }

    @Test
    void globsMatchTheNormalizedReference() throws Exception {
        List<String> busybox = List.of("docker.io/library/busybox:*");
        assertTrue(excluded(busybox, "busybox:1.36"));
        assertTrue(excluded(busybox, "index.docker.io/library/busybox:1.36"));
        assertTrue(excluded(busybox, "busybox"), "no tag is latest");
        assertTrue(excluded(busybox, "busybox:1.36@sha256:" + "a".repeat(64)));
        assertFalse(excluded(busybox, "busybox@sha256:" + "a".repeat(64)), "a digest alone has no tag to match");
        assertFalse(excluded(busybox, "busyboxplus:1"));
        assertFalse(excluded(busybox, "nginx"));

        List<String> org = List.of("docker.io/myorg/*");
        assertTrue(excluded(org, "myorg/app"));
        assertTrue(excluded(org, "myorg/team/app:2"), "* crosses /");
        assertFalse(excluded(org, "myorganisation/app"));
        assertFalse(excluded(org, "ghcr.io/myorg/app"));

        assertTrue(excluded(List.of("docker.io/library/redis"), "redis:7"), "a repository covers every tag");
        assertTrue(excluded(List.of("docker.io/library/redis"), "redis@sha256:" + "b".repeat(64)));
        assertFalse(excluded(List.of("docker.io/library/redis"), "redis-stack:7"));
        assertTrue(excluded(List.of("docker.io/library/node:2?"), "node:22"));
        assertFalse(excluded(List.of("docker.io/library/node:2?"), "node:2"));
        assertTrue(excluded(List.of("docker.io/library/a.b"), "a.b"), "dots are literal");
        assertFalse(excluded(List.of("docker.io/library/a.b"), "axb"));
        assertFalse(excluded(List.of(), "nginx"));
    }

    @Test
    void unusablePatternsAreNamed() {
        List<String> errors = new ArrayList<>();
        ImageExclusions.compile(List.of("busybox", "docker.io/a b", "docker.io/ok/*"), errors);
        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("docker.io/library/busybox"), errors.get(0));
        assertTrue(errors.get(1).contains("'docker.io/a b'"), errors.get(1));
    }
}

package io.acrcache.webhook.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ImageReferenceParserTest {

    static final String H64 = "0123456789abcdef".repeat(4);
    static final String H96 = "fedcba9876543210".repeat(6);
    static final String H128 = "0123456789abcdef".repeat(8);
    static final String SHA256 = "sha256:" + H64;
    static final String SHA384 = "sha384:" + H96;
    static final String SHA512 = "sha512:" + H128;
    static final String HUB = "docker.io";

    private final ImageReferenceParser parser = new ImageReferenceParser(DockerHubHosts.defaults());

    /** input, registry, repository, tag, digest, isDockerHub. */
    static Stream<Arguments> valid() {
        return Stream.of(
                // Docker Hub short forms
                arguments("nginx", HUB, "library/nginx", null, null, true),
                arguments("nginx:1.25", HUB, "library/nginx", "1.25", null, true),
                arguments("library/nginx", HUB, "library/nginx", null, null, true),
                arguments("library/library", HUB, "library/library", null, null, true),
                arguments("docker.io/nginx", HUB, "library/nginx", null, null, true),
                arguments("docker.io/library/nginx:1.25", HUB, "library/nginx", "1.25", null, true),
                arguments("docker.io/library/foo/bar", HUB, "library/foo/bar", null, null, true),
                arguments("bitnami/redis:7.2", HUB, "bitnami/redis", "7.2", null, true),
                arguments("rabbitmq:3.8-management", HUB, "library/rabbitmq", "3.8-management", null, true),
                arguments(
                        "jannemattila/webapp-network-tester:1.0.75",
                        HUB,
                        "jannemattila/webapp-network-tester",
                        "1.0.75",
                        null,
                        true),
                arguments("a", HUB, "library/a", null, null, true),
                // Docker Hub aliases
                arguments("index.docker.io/nginx", HUB, "library/nginx", null, null, true),
                arguments("index.docker.io/library/nginx", HUB, "library/nginx", null, null, true),
                arguments("registry-1.docker.io/bitnami/redis:7", HUB, "bitnami/redis", "7", null, true),
                arguments("registry-1.docker.io/nginx", HUB, "library/nginx", null, null, true),
                arguments("registry.hub.docker.com/nginx", HUB, "library/nginx", null, null, true),
                arguments("registry.hub.docker.com/library/nginx:latest", HUB, "library/nginx", "latest", null, true),
                // no '/': always a Docker Hub name, even when it looks like a host
                arguments("example.com", HUB, "library/example.com", null, null, true),
                arguments("example.com:5000", HUB, "library/example.com", "5000", null, true),
                arguments("localhost", HUB, "library/localhost", null, null, true),
                arguments("localhost:5000", HUB, "library/localhost", "5000", null, true),
                arguments("docker.io", HUB, "library/docker.io", null, null, true),
                // other registries
                arguments("localhost/foo", "localhost", "foo", null, null, false),
                arguments("localhost:5000/foo/bar:1", "localhost:5000", "foo/bar", "1", null, false),
                arguments("example.com/foo", "example.com", "foo", null, null, false),
                arguments("Foo/bar", "Foo", "bar", null, null, false),
                arguments("UPPER:5000/foo", "UPPER:5000", "foo", null, null, false),
                arguments("Docker.io/library/nginx", "Docker.io", "library/nginx", null, null, false),
                arguments("Docker.io/nginx", "Docker.io", "nginx", null, null, false),
                arguments("ghcr.io/org/app:v1", "ghcr.io", "org/app", "v1", null, false),
                arguments(
                        "mcr.microsoft.com/dotnet/aspnet:8.0",
                        "mcr.microsoft.com",
                        "dotnet/aspnet",
                        "8.0",
                        null,
                        false),
                arguments("registry.k8s.io/pause:3.9", "registry.k8s.io", "pause", "3.9", null, false),
                arguments("quay.io/prometheus/node-exporter", "quay.io", "prometheus/node-exporter", null, null, false),
                arguments(
                        "my-reg.example-1.com:0/a-b_c.d__e/f",
                        "my-reg.example-1.com:0",
                        "a-b_c.d__e/f",
                        null,
                        null,
                        false),
                arguments("a/b.c/d", HUB, "a/b.c/d", null, null, true),
                // IP hosts
                arguments("[::1]:5000/foo", "[::1]:5000", "foo", null, null, false),
                arguments("[2001:db8::1]/foo:tag", "[2001:db8::1]", "foo", "tag", null, false),
                arguments("[::]/x", "[::]", "x", null, null, false),
                arguments("192.168.0.1:5000/foo", "192.168.0.1:5000", "foo", null, null, false),
                arguments("1.2.3.4/x", "1.2.3.4", "x", null, null, false),
                // digests (tag and digest both kept)
                arguments("nginx@" + SHA256, HUB, "library/nginx", null, SHA256, true),
                arguments("nginx:1.25@" + SHA256, HUB, "library/nginx", "1.25", SHA256, true),
                arguments("nginx@" + SHA384, HUB, "library/nginx", null, SHA384, true),
                arguments("nginx@" + SHA512, HUB, "library/nginx", null, SHA512, true),
                arguments("ghcr.io/org/app:v1@" + SHA512, "ghcr.io", "org/app", "v1", SHA512, false),
                arguments("localhost:5000/foo@" + SHA256, "localhost:5000", "foo", null, SHA256, false),
                // separators
                arguments("a__b", HUB, "library/a__b", null, null, true),
                arguments("a--------b", HUB, "library/a--------b", null, null, true),
                arguments("a.b", HUB, "library/a.b", null, null, true),
                arguments("a_b-c__d---e/f.g", HUB, "a_b-c__d---e/f.g", null, null, true),
                // tags
                arguments("nginx:Latest", HUB, "library/nginx", "Latest", null, true),
                arguments("nginx:_x", HUB, "library/nginx", "_x", null, true),
                arguments("nginx:1.0-rc.1_x--", HUB, "library/nginx", "1.0-rc.1_x--", null, true),
                arguments("nginx:" + "a".repeat(128), HUB, "library/nginx", "a".repeat(128), null, true),
                // 64 hex is only refused as the whole string
                arguments("docker.io/" + H64, HUB, "library/" + H64, null, null, true),
                arguments(H64 + ":tag", HUB, "library/" + H64, "tag", null, true),
                arguments(H64.substring(1), HUB, "library/" + H64.substring(1), null, null, true),
                // 255-character names, measured as docker.io/library/<path>, docker.io/<path>, <domain>/<path>
                arguments("a".repeat(237), HUB, "library/" + "a".repeat(237), null, null, true),
                arguments("foo/" + "a".repeat(241), HUB, "foo/" + "a".repeat(241), null, null, true),
                arguments("example.com/" + "a".repeat(243), "example.com", "a".repeat(243), null, null, false),
                arguments(
                        "registry-1.docker.io/" + "a".repeat(234), HUB, "library/" + "a".repeat(234), null, null, true),
                arguments("index.docker.io/" + "a".repeat(237), HUB, "library/" + "a".repeat(237), null, null, true),
                // longest possible: 255-char name, 128-char tag, sha512 digest
                arguments(
                        "a".repeat(237) + ":" + "t".repeat(128) + "@" + SHA512,
                        HUB,
                        "library/" + "a".repeat(237),
                        "t".repeat(128),
                        SHA512,
                        true));
    }

    /** input, fragment of the expected message. */
    static Stream<Arguments> invalid() {
        return Stream.of(
                arguments("", "empty"),
                arguments(":tag", "repository name is empty"),
                arguments("@" + SHA256, "repository name is empty"),
                arguments("docker.io/", "repository name is empty"),
                arguments("nginx:", "tag is empty"),
                arguments("foo/bar:", "tag is empty"),
                arguments("nginx@", "invalid digest format"),
                arguments("nginx@sha256", "invalid digest format"),
                arguments("nginx@:" + H64, "invalid digest format"),
                arguments("nginx@sha256:", "invalid digest format"),
                arguments("nginx@sha256:short", "invalid digest length"),
                arguments("nginx@sha256:abc", "invalid digest length"),
                arguments("nginx@sha256:" + H64.substring(1), "invalid digest length"),
                arguments("nginx@sha256:" + H64 + "0", "invalid digest length"),
                arguments("nginx@sha512:" + H64, "invalid digest length"),
                arguments("nginx@sha256:" + H64.toUpperCase(), "lowercase hexadecimal"),
                arguments("nginx@sha256:" + H64.substring(1) + "g", "invalid digest format"),
                arguments("nginx@md5:" + H64.substring(32), "unsupported digest algorithm"),
                arguments("nginx@sha1:" + H64.substring(24), "unsupported digest algorithm"),
                arguments("nginx@sha256+b64:" + H64, "unsupported digest algorithm"),
                arguments("nginx@SHA256:" + H64, "invalid digest format"),
                arguments("nginx@" + SHA256 + "@" + SHA256, "invalid digest length"),
                arguments("nginx@" + SHA256 + ":tag", "invalid digest length"),
                arguments("foo//bar", "path component is empty"),
                arguments("foo/", "path component is empty"),
                arguments("/foo", "path component is empty"),
                arguments(" nginx", "invalid character"),
                arguments("nginx ", "invalid character"),
                arguments("nginx\n", "invalid character"),
                arguments("ngínx", "invalid character"),
                arguments("nginx:1.0 ", "invalid tag format"),
                arguments("foo/Bar", "must be lowercase"),
                arguments("Nginx", "must be lowercase"),
                arguments("docker.io/Library/nginx", "must be lowercase"),
                arguments("ghcr.io/Org/app", "must be lowercase"),
                arguments("nginx:-bad", "invalid tag format"),
                arguments("nginx:.bad", "invalid tag format"),
                arguments("nginx:1.0:2", "invalid tag format"),
                arguments("nginx:a/b", "invalid registry port"), // "nginx:a" is taken as a domain
                arguments("nginx:a+b", "invalid tag format"),
                arguments("nginx:" + "a".repeat(129), "not be more than 128"),
                arguments("a___b", "invalid separator"),
                arguments("a.-b", "invalid separator"),
                arguments("a_.b", "invalid separator"),
                arguments("a..b", "invalid separator"),
                arguments("a-_b", "invalid separator"),
                arguments("a-", "must not end with a separator"),
                arguments("a__", "must not end with a separator"),
                arguments("foo/a./b", "must not end with a separator"),
                arguments("a./b", "invalid registry domain"),
                arguments("-a", "must start with"),
                arguments("_a", "must start with"),
                arguments(".a", "must start with"),
                arguments("foo/-a", "must start with"),
                arguments(H64, "hexadecimal"),
                arguments("a".repeat(238), "255"),
                arguments("foo/" + "a".repeat(242), "255"),
                arguments("example.com/" + "a".repeat(244), "255"),
                // distribution measures an alias as written: 21 + 1 + 235 > 255
                arguments("registry-1.docker.io/" + "a".repeat(235), "255"),
                // ... and index.docker.io/x as docker.io/library/x
                arguments("index.docker.io/" + "a".repeat(238), "255"),
                arguments("a".repeat(1025), "too long"),
                arguments("host:port/foo", "invalid registry port"),
                arguments("localhost:/foo", "invalid registry port"),
                arguments("localhost:5000:1/foo", "invalid registry port"),
                arguments("nginx:1.0/foo", "invalid registry port"),
                arguments("[::1]x/foo", "invalid registry port"),
                arguments("[::1/foo", "IPv6"),
                arguments("[]:5000/foo", "IPv6"),
                arguments("[]/foo", "invalid character in repository name"), // no '.' or ':': not a domain
                arguments("[::g]/foo", "IPv6"),
                arguments("[::1]:5000", "invalid character"),
                arguments("-example.com/foo", "must not start with '-'"),
                arguments("example-.com/foo", "invalid registry domain"),
                arguments("example..com/foo", "invalid registry domain"),
                arguments(".example.com/foo", "invalid registry domain"),
                arguments("example.com./foo", "invalid registry domain"),
                arguments("a_b.c/d", "invalid character in registry domain"),
                arguments("a_b-c.d__e---f/g", "invalid character in registry domain"),
                arguments("exa mple.com/foo", "invalid character in registry domain"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("valid")
    void parsesValid(String input, String registry, String repository, String tag, String digest, boolean hub)
            throws InvalidImageReferenceException {
        ImageReference ref = parser.parse(input);
        assertAll(
                () -> assertSame(input, ref.original()),
                () -> assertEquals(registry, ref.registry(), "registry"),
                () -> assertEquals(repository, ref.repository(), "repository"),
                () -> assertEquals(tag, ref.tag(), "tag"),
                () -> assertEquals(digest, ref.digest(), "digest"),
                () -> assertEquals(hub, ref.isDockerHub(), "isDockerHub"),
                () -> assertEquals(tag == null && digest == null, ref.hasNoTagOrDigest(), "hasNoTagOrDigest"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("valid")
    void canonicalRoundTrips(String input) throws InvalidImageReferenceException {
        ImageReference ref = parser.parse(input);
        ImageReference again = parser.parse(ref.canonical());
        assertEquals(
                new ImageReference(ref.canonical(), ref.registry(), ref.repository(), ref.tag(), ref.digest()), again);
        assertEquals(ref.canonical(), again.canonical());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("valid")
    void suffixIsTheWrittenTail(String input) throws InvalidImageReferenceException {
        ImageReference ref = parser.parse(input);
        assertTrue(input.endsWith(ref.suffix()), ref.suffix());
        assertEquals(ref.name() + ref.suffix(), ref.canonical());
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("invalid")
    void rejectsInvalid(String input, String reason) {
        InvalidImageReferenceException e =
                assertThrows(InvalidImageReferenceException.class, () -> parser.parse(input));
        assertAll(
                () -> assertTrue(e.getMessage().contains(reason), () -> "message was: " + e.getMessage()),
                () -> assertSame(input, e.image()));
    }

    @Test
    void rejectsNull() {
        InvalidImageReferenceException e = assertThrows(InvalidImageReferenceException.class, () -> parser.parse(null));
        assertAll(() -> assertEquals("image reference is null", e.getMessage()), () -> assertNull(e.image()));
    }

    @Test
    void exceptionHasNoStackTrace() {
        InvalidImageReferenceException e =
                assertThrows(InvalidImageReferenceException.class, () -> parser.parse("Nginx"));
        assertEquals(0, e.getStackTrace().length);
        assertEquals("repository name must be lowercase", e.getMessage());
    }
}

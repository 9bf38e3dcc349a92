package io.acrcache.webhook.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DockerHubHostsTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # domain                   | defaults() | of([mirror.example.com, localhost])
            docker.io                  | true       | true
            index.docker.io            | true       | true
            registry-1.docker.io       | true       | false
            registry.hub.docker.com    | true       | false
            mirror.example.com         | false      | true
            localhost                  | false      | true
            Docker.io                  | false      | false
            DOCKER.IO                  | false      | false
            docker.io:443              | false      | false
            docker.io.                 | false      | false
            ''                         | false      | false
            """)
    void isDockerHubIsExactAndCaseSensitive(String domain, boolean defaults, boolean custom) {
        DockerHubHosts hosts = DockerHubHosts.of(List.of("mirror.example.com", "localhost"));
        assertAll(
                () -> assertEquals(defaults, DockerHubHosts.defaults().isDockerHub(domain), "defaults"),
                () -> assertEquals(custom, hosts.isDockerHub(domain), "custom"));
    }

    @Test
    void nullIsNeverDockerHub() {
        assertEquals(false, DockerHubHosts.defaults().isDockerHub(null));
    }

    @Test
    void defaultsListsTheFourHubNames() {
        assertEquals(
                List.of("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"),
                List.copyOf(DockerHubHosts.defaults().hosts()));
    }

    @Test
    void ofAlwaysAddsDockerIoAndIndexDockerIo() {
        assertAll(
                () -> assertEquals(
                        List.of("docker.io", "index.docker.io"),
                        List.copyOf(DockerHubHosts.of(List.of()).hosts())),
                () -> assertEquals(
                        List.of("docker.io", "index.docker.io", "hub.example.com:5000"),
                        List.copyOf(DockerHubHosts.of(List.of("hub.example.com:5000", "docker.io"))
                                .hosts())),
                () -> assertEquals(
                        DockerHubHosts.defaults(),
                        DockerHubHosts.of(List.of("registry-1.docker.io", "registry.hub.docker.com"))));
    }

    @Test
    void hostsViewIsUnmodifiable() {
        Set<String> hosts = DockerHubHosts.defaults().hosts();
        assertThrows(UnsupportedOperationException.class, () -> hosts.add("x.io"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', textBlock = """
            # entry              | message fragment
            ''                   | blank
            '   '                | blank
            ' docker.io'         | invalid character
            'hub.example.com/x'  | invalid character
            'mirror'             | never treats it as a registry host
            '-bad.example.com'   | must not start with '-'
            'hub.example.com:x'  | invalid registry port
            """)
    void rejectsBadEntries(String entry, String fragment) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> DockerHubHosts.of(List.of("ok.example.com", entry)));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void rejectsNullEntryAndNullList() {
        assertThrows(IllegalArgumentException.class, () -> DockerHubHosts.of(Arrays.asList("a.io", null)));
        assertThrows(NullPointerException.class, () -> DockerHubHosts.of(null));
    }

    /** input, registry, repository, tag, isDockerHub — parsed with hub hosts {mirror.example.com, localhost}. */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            mirror.example.com/nginx:1          | docker.io            | library/nginx  | 1    | true
            mirror.example.com/bitnami/redis    | docker.io            | bitnami/redis  |      | true
            localhost/foo                       | docker.io            | library/foo    |      | true
            localhost:5000/foo                  | localhost:5000       | foo            |      | false
            docker.io/nginx                     | docker.io            | library/nginx  |      | true
            index.docker.io/nginx               | docker.io            | library/nginx  |      | true
            registry-1.docker.io/nginx          | registry-1.docker.io | nginx          |      | false
            registry.hub.docker.com/a/b:2       | registry.hub.docker.com | a/b         | 2    | false
            Mirror.example.com/nginx            | Mirror.example.com   | nginx          |      | false
            """)
    void customHubHosts(String input, String registry, String repository, String tag, boolean hub)
            throws InvalidImageReferenceException {
        ImageReferenceParser parser =
                new ImageReferenceParser(DockerHubHosts.of(List.of("mirror.example.com", "localhost")));
        ImageReference ref = parser.parse(input);
        assertAll(
                () -> assertEquals(registry, ref.registry(), "registry"),
                () -> assertEquals(repository, ref.repository(), "repository"),
                () -> assertEquals(tag, ref.tag(), "tag"),
                () -> assertEquals(null, ref.digest(), "digest"),
                () -> assertEquals(hub, ref.isDockerHub(), "isDockerHub"),
                () -> assertEquals(
                        ref.withName(ref.registry(), ref.repository()),
                        parser.parse(ref.canonical()).canonical(),
                        "round trip"));
    }

    @Test
    void aliasMustStillFitAfterNormalization() throws InvalidImageReferenceException {
        // localhost/<240> is 250 characters as written but docker.io/library/<240> would be 258.
        ImageReferenceParser parser = new ImageReferenceParser(DockerHubHosts.of(List.of("localhost")));
        String path = "a".repeat(240);
        InvalidImageReferenceException e =
                assertThrows(InvalidImageReferenceException.class, () -> parser.parse("localhost/" + path));
        assertTrue(e.getMessage().contains("255"), e.getMessage());
        // Without the alias it is an ordinary, valid localhost image.
        assertEquals(
                "localhost",
                new ImageReferenceParser(DockerHubHosts.defaults())
                        .parse("localhost/" + path)
                        .registry());
    }
}

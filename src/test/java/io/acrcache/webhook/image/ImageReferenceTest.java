package io.acrcache.webhook.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ImageReferenceTest {

    private static final String D = ImageReferenceParserTest.SHA256;
    private final ImageReferenceParser parser = new ImageReferenceParser(DockerHubHosts.defaults());

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # input                                    | name()                                  | canonical()                                   | suffix()   | hasNoTagOrDigest
            nginx                                      | docker.io/library/nginx                 | docker.io/library/nginx                       |            | true
            nginx:1.25                                 | docker.io/library/nginx                 | docker.io/library/nginx:1.25                  | :1.25      | false
            index.docker.io/nginx:Latest               | docker.io/library/nginx                 | docker.io/library/nginx:Latest                | :Latest    | false
            registry.hub.docker.com/bitnami/redis:7    | docker.io/bitnami/redis                 | docker.io/bitnami/redis:7                     | :7         | false
            localhost:5000/foo/bar:1                   | localhost:5000/foo/bar                  | localhost:5000/foo/bar:1                      | :1         | false
            Docker.io/nginx                            | Docker.io/nginx                         | Docker.io/nginx                               |            | true
            example.com:5000                           | docker.io/library/example.com           | docker.io/library/example.com:5000            | :5000      | false
            """)
    void canonicalKeepsTagExactly(String input, String name, String canonical, String suffix, boolean bare)
            throws InvalidImageReferenceException {
        ImageReference ref = parser.parse(input);
        String expectedSuffix = suffix == null ? "" : suffix;
        assertAll(
                () -> assertEquals(name, ref.name()),
                () -> assertEquals(canonical, ref.canonical()),
                () -> assertEquals(expectedSuffix, ref.suffix()),
                () -> assertEquals(bare, ref.hasNoTagOrDigest()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # input (<D> = sha256 digest)      | withName("myacr.azurecr.io", "hub/" + repository)
            nginx                              | myacr.azurecr.io/hub/library/nginx
            nginx:1.25                         | myacr.azurecr.io/hub/library/nginx:1.25
            nginx@<D>                          | myacr.azurecr.io/hub/library/nginx@<D>
            nginx:1.25@<D>                     | myacr.azurecr.io/hub/library/nginx:1.25@<D>
            registry-1.docker.io/a/b:x_Y.z-1   | myacr.azurecr.io/hub/a/b:x_Y.z-1
            """)
    void withNameKeepsTagAndDigestExactly(String input, String expected) throws InvalidImageReferenceException {
        ImageReference ref = parser.parse(input.replace("<D>", D));
        assertEquals(expected.replace("<D>", D), ref.withName("myacr.azurecr.io", "hub/" + ref.repository()));
    }

    @Test
    void bothTagAndDigestAreKept() throws InvalidImageReferenceException {
        ImageReference ref = parser.parse("nginx:1.25@" + D);
        assertAll(
                () -> assertEquals("1.25", ref.tag()),
                () -> assertEquals(D, ref.digest()),
                () -> assertEquals("docker.io/library/nginx:1.25@" + D, ref.canonical()),
                () -> assertEquals(":1.25@" + D, ref.suffix()));
    }

    @Test
    void digestOnlyHasNoTag() throws InvalidImageReferenceException {
        ImageReference ref = parser.parse("nginx@" + D);
        assertAll(
                () -> assertEquals(null, ref.tag()),
                () -> assertEquals(false, ref.hasNoTagOrDigest()),
                () -> assertEquals("docker.io/library/nginx@" + D, ref.canonical()));
    }

    @Test
    void requiresNonNullParts() {
        assertThrows(NullPointerException.class, () -> new ImageReference(null, "r", "p", null, null));
        assertThrows(NullPointerException.class, () -> new ImageReference("o", null, "p", null, null));
        assertThrows(NullPointerException.class, () -> new ImageReference("o", "r", null, null, null));
        ImageReference ref = new ImageReference("o", "r", "p", null, null);
        assertThrows(NullPointerException.class, () -> ref.withName(null, "p"));
        assertThrows(NullPointerException.class, () -> ref.withName("r", null));
    }
}

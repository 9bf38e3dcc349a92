package io.acrcache.webhook.image;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the parser over generated input; jqwik prints the seed of each run for reproduction. */
class ImageReferenceProperties {
    private final ImageReferenceParser parser = new ImageReferenceParser(DockerHubHosts.defaults());

    @Property(tries = 5000)
    void neverThrowsAnythingButItsOwnError(@ForAll("imageLike") String input) {
        try {
            ImageReference ref = parser.parse(input);
            // whatever it accepts, it round-trips: the canonical form parses to the same reference
            ImageReference again = parser.parse(ref.canonical());
            assertEquals(ref.canonical(), again.canonical());
            assertEquals(ref.tag(), again.tag());
            assertEquals(ref.digest(), again.digest());
        } catch (InvalidImageReferenceException expected) {
            assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
        }
    }

    @Property(tries = 3000)
    void generatedValidReferencesKeepTagAndDigestExactly(@ForAll("valid") String[] parts) throws Exception {
        String image = parts[0];
        ImageReference ref = parser.parse(image);
        assertEquals(parts[1].isEmpty() ? null : parts[1], ref.tag());
        assertEquals(parts[2].isEmpty() ? null : parts[2], ref.digest());
        assertEquals(image, ref.original());
        assertTrue(ref.canonical().endsWith(ref.suffix()));
        ImageReference again = parser.parse(ref.canonical());
        assertEquals(
                ref.registry() + "|" + ref.repository() + "|" + ref.tag() + "|" + ref.digest(),
                again.registry() + "|" + again.repository() + "|" + again.tag() + "|" + again.digest());
    }

    /** Strings built from the grammar's own alphabet, so that many are nearly valid. */
    @Provide
    Arbitrary<String> imageLike() {
        Arbitrary<String> atoms = Arbitraries.of(
                "nginx",
                "library",
                "docker.io",
                "index.docker.io",
                "localhost",
                ":5000",
                "/",
                "//",
                ":",
                "@",
                "sha256:",
                "a".repeat(64),
                "A",
                ".",
                "_",
                "__",
                "-",
                "--",
                "[::1]",
                "1.25",
                "latest",
                "é",
                "\u0000",
                " ",
                "\t",
                "Registry.io",
                "x".repeat(130),
                "0123456789abcdef");
        return Arbitraries.oneOf(
                atoms.list().ofMinSize(0).ofMaxSize(12).map(l -> String.join("", l)),
                Arbitraries.strings().ofMaxLength(300));
    }

    @Provide
    Arbitrary<String[]> valid() {
        Arbitrary<String> component = Arbitraries.strings()
                .withChars("abcdefghijklmnopqrstuvwxyz0123456789")
                .ofMinLength(1)
                .ofMaxLength(8);
        Arbitrary<String> separatorJoined = Combinators.combine(
                        component, Arbitraries.of("", ".", "_", "__", "-", "---"), component)
                .as((a, sep, b) -> sep.isEmpty() ? a : a + sep + b);
        Arbitrary<String> path =
                separatorJoined.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("/", l));
        Arbitrary<String> registry = Arbitraries.of(
                "",
                "docker.io/",
                "index.docker.io/",
                "ghcr.io/",
                "localhost:5000/",
                "registry-1.docker.io/",
                "[2001:db8::1]:443/",
                "10.0.0.1/",
                "My.Registry.example/");
        Arbitrary<String> tag = Arbitraries.oneOf(
                Arbitraries.just(""),
                Arbitraries.strings()
                        .withChars("abcXYZ019_.-")
                        .ofMinLength(1)
                        .ofMaxLength(20)
                        .filter(t -> Character.isLetterOrDigit(t.charAt(0)) || t.charAt(0) == '_'));
        Arbitrary<String> digest = Arbitraries.oneOf(
                Arbitraries.just(""),
                Arbitraries.strings().withChars("0123456789abcdef").ofLength(64).map(h -> "sha256:" + h));
        return Combinators.combine(registry, path, tag, digest).as((r, p, t, d) ->
                new String[] {r + p + (t.isEmpty() ? "" : ":" + t) + (d.isEmpty() ? "" : "@" + d), t, d});
    }
}

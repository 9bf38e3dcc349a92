package io.acrcache.webhook.image;

import io.acrcache.webhook.testing.Gen;
import io.acrcache.webhook.testing.Gen.Case;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the parser over generated input (see {@link Gen} for the seed and how to rerun a case). */
class ImageReferenceProperties {
    private final ImageReferenceParser parser = new ImageReferenceParser(DockerHubHosts.defaults());

    @ParameterizedTest(name = "{0}")
    @MethodSource("imageLike")
    void neverThrowsAnythingButItsOwnError(Case<String> c) {
        c.check(input -> {
            try {
                ImageReference ref = parser.parse(input);
                // whatever it accepts, it round-trips: the canonical form parses to the same reference
                ImageReference again = parser.parse(ref.canonical());
                assertEquals(ref.canonical(), again.canonical());
                assertEquals(ref.tag(), again.tag());
                assertEquals(ref.digest(), again.digest());
            } catch (InvalidImageReferenceException expected) {
                assertTrue(
                        expected.getMessage() != null && !expected.getMessage().isEmpty());
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void generatedValidReferencesKeepTagAndDigestExactly(Case<String[]> c) {
        c.check(parts -> {
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
        });
    }

    private static final List<String> ATOMS = List.of(
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

    /** Strings built from the grammar's own alphabet, so that many are nearly valid; or any text at all. */
    static Stream<Case<String>> imageLike() {
        // the edges: nothing, each atom alone, the most atoms, and any text's shortest and longest
        List<String> edges = new ArrayList<>(List.of("", "\u0000", "\ufffd", "a".repeat(300)));
        edges.addAll(ATOMS);
        edges.add(String.join("", ATOMS.subList(ATOMS.size() - 12, ATOMS.size())));
        return Stream.concat(
                Gen.edgeCases(edges),
                Gen.cases(
                        5000,
                        g -> g.oneOf(
                                atoms -> String.join("", atoms.list(0, 12, a -> a.pick(ATOMS))),
                                any -> any.text(300))));
    }

    private static final String COMPONENT_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final List<String> SEPARATORS = List.of("", ".", "_", "__", "-", "---");
    private static final List<String> REGISTRIES = List.of(
            "",
            "docker.io/",
            "index.docker.io/",
            "ghcr.io/",
            "localhost:5000/",
            "registry-1.docker.io/",
            "[2001:db8::1]:443/",
            "10.0.0.1/",
            "My.Registry.example/");
    private static final String TAG_CHARS = "abcXYZ019_.-";
    private static final String TAG_FIRST_CHARS = "abcXYZ019_"; // a tag starts with a letter, digit or '_'

    /** {image, tag or "", digest or ""}: a valid reference and the parts it must keep. */
    static Stream<Case<String[]>> valid() {
        List<String[]> edges = new ArrayList<>();
        String longestPath = String.join("/", Collections.nCopies(3, "zzzzzzzz---99999999"));
        for (String registry : REGISTRIES) {
            for (String path : List.of("a", "0", longestPath)) {
                for (String tag : List.of("", "_", "X" + ".-".repeat(9) + "9")) {
                    for (String digest : List.of("", "sha256:" + "0".repeat(64), "sha256:" + "f".repeat(64))) {
                        edges.add(reference(registry, path, tag, digest));
                    }
                }
            }
        }
        return Stream.concat(Gen.edgeCases(edges), Gen.cases(3000, ImageReferenceProperties::validReference));
    }

    private static String[] validReference(Gen g) {
        String path = String.join("/", g.list(1, 3, ImageReferenceProperties::separatorJoined));
        String tag = g.nextBoolean() ? "" : g.string(TAG_FIRST_CHARS, 1, 1) + g.string(TAG_CHARS, 0, 19);
        String digest = g.nextBoolean() ? "" : "sha256:" + g.string("0123456789abcdef", 64, 64);
        return reference(g.pick(REGISTRIES), path, tag, digest);
    }

    private static String separatorJoined(Gen g) {
        String a = g.string(COMPONENT_CHARS, 1, 8);
        String sep = g.pick(SEPARATORS);
        String b = g.string(COMPONENT_CHARS, 1, 8);
        return sep.isEmpty() ? a : a + sep + b;
    }

    private static String[] reference(String registry, String path, String tag, String digest) {
        return new String[] {
            registry + path + (tag.isEmpty() ? "" : ":" + tag) + (digest.isEmpty() ? "" : "@" + digest), tag, digest
        };
    }
}

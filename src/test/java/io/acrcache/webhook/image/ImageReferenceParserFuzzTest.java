package io.acrcache.webhook.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random and mutated strings: {@code parse} must only ever throw InvalidImageReferenceException, must agree with the
 * regex-based {@link ReferenceOracle}, and every accepted reference must round-trip through {@code canonical()}. The
 * seed is fixed (override with {@code -Dimage.fuzz.seed=N}, and the count with {@code -Dimage.fuzz.iterations=N}) and
 * printed, so a failure can be replayed.
 */
class ImageReferenceParserFuzzTest {

    private static final String ALPHABET = "abcfxyz0189AFZ._-/:@[]  \t\n\u00e9\u0000+=";
    private static final String[] SNIPPETS = {
        "/",
        ":",
        "@",
        ".",
        "_",
        "__",
        "-",
        "--",
        "[",
        "]",
        "::1",
        "localhost",
        "docker.io",
        "index.docker.io",
        "registry-1.docker.io",
        "Docker.io",
        "library/",
        ":5000",
        "sha256:",
        "sha512:",
        "sha384:",
        "md5:",
        ImageReferenceParserTest.H64,
        ImageReferenceParserTest.H128,
        "A",
        "0",
        "a".repeat(120),
        "t".repeat(64),
    };

    private static final DockerHubHosts CUSTOM = DockerHubHosts.of(List.of("mirror.example.com", "localhost", "a.b"));

    @Test
    void parseOnlyThrowsInvalidImageReferenceExceptionAndAgreesWithOracle() {
        long seed = Long.getLong("image.fuzz.seed", 20240611L);
        System.out.println("ImageReferenceParserFuzzTest seed=" + seed);
        Random random = new Random(seed);

        List<String> seeds = new ArrayList<>();
        ImageReferenceParserTest.valid().map(Arguments::get).forEach(a -> seeds.add((String) a[0]));
        ImageReferenceParserTest.invalid().map(Arguments::get).forEach(a -> seeds.add((String) a[0]));

        ImageReferenceParser defaults = new ImageReferenceParser(DockerHubHosts.defaults());
        ImageReferenceParser custom = new ImageReferenceParser(CUSTOM);
        int accepted = 0;
        int total = 0;
        int iterations = Integer.getInteger("image.fuzz.iterations", 6000);
        for (int n = 0; n < iterations; n++) {
            String input = n % 3 == 0 ? randomString(random) : mutate(seeds.get(random.nextInt(seeds.size())), random);
            accepted += check(defaults, DockerHubHosts.defaults(), input, seed);
            check(custom, CUSTOM, input, seed);
            total++;
        }
        System.out.println("ImageReferenceParserFuzzTest inputs=" + total + " acceptedByDefaults=" + accepted);
        // Make sure the generator is not degenerate: both outcomes must be well represented.
        assertTrue(accepted > total / 10 && accepted < total * 9 / 10, "accepted " + accepted + " of " + total);
    }

    private static int check(ImageReferenceParser parser, DockerHubHosts hubs, String input, long seed) {
        ImageReference expected = ReferenceOracle.expect(input, hubs);
        ImageReference actual;
        try {
            actual = parser.parse(input);
        } catch (InvalidImageReferenceException e) {
            if (expected != null) {
                fail("seed " + seed + ": rejected " + quote(input) + " (" + e.getMessage() + "), expected " + expected);
            }
            return 0;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("seed " + seed + ": unexpected " + e + " for " + quote(input), e);
        }
        assertEquals(expected, actual, () -> "seed " + seed + ": " + quote(input));
        try {
            ImageReference again = parser.parse(actual.canonical());
            assertEquals(actual.canonical(), again.canonical(), () -> "round trip of " + quote(input));
            assertEquals(actual.registry(), again.registry());
            assertEquals(actual.repository(), again.repository());
        } catch (InvalidImageReferenceException e) {
            fail("seed " + seed + ": canonical form of " + quote(input) + " did not parse: " + e.getMessage());
        }
        return 1;
    }

    private static String randomString(Random random) {
        int len = random.nextInt(10) == 0 ? 200 + random.nextInt(400) : random.nextInt(30);
        StringBuilder sb = new StringBuilder(len);
        while (sb.length() < len) {
            if (random.nextInt(4) == 0) {
                sb.append(SNIPPETS[random.nextInt(SNIPPETS.length)]);
            } else {
                sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
        }
        return sb.toString();
    }

    private static String mutate(String s, Random random) {
        StringBuilder sb = new StringBuilder(s);
        int edits = random.nextInt(4); // 0 keeps the seed as is
        for (int e = 0; e < edits; e++) {
            int pos = sb.length() == 0 ? 0 : random.nextInt(sb.length() + 1);
            switch (random.nextInt(6)) {
                case 0 -> sb.insert(pos, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 1 -> sb.insert(pos, SNIPPETS[random.nextInt(SNIPPETS.length)]);
                case 2 -> {
                    if (pos < sb.length()) {
                        sb.deleteCharAt(pos);
                    }
                }
                case 3 -> {
                    if (pos < sb.length()) {
                        sb.setCharAt(pos, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    }
                }
                case 4 -> sb.setLength(Math.min(sb.length(), pos));
                default -> {
                    // Grow toward the length limits.
                    int end = Math.min(sb.length(), pos + 1 + random.nextInt(20));
                    sb.insert(pos, sb.substring(pos, end).repeat(1 + random.nextInt(15)));
                }
            }
        }
        return sb.toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}

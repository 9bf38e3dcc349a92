package io.acrcache.webhook.testing;

import io.acrcache.webhook.testing.Gen.Case;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenTest {
    /** A bit of everything Gen makes, so a change in any helper's use of the random stream shows. */
    private static final Function<Gen, String> SAMPLE = g -> g.nextLong()
            + "|" + g.between(-3, 3)
            + "|" + g.pick("a", "b", "c")
            + "|" + g.string("xyz", 0, 10)
            + "|" + g.list(0, 5, e -> e.nextInt(100))
            + "|" + g.text(40);

    @Test
    void theSameSeedGivesTheSameSequence() {
        for (long seed : new long[] {0, 1, -1, Gen.DEFAULT_SEED, Long.MAX_VALUE}) {
            assertEquals(SAMPLE.apply(new Gen(seed)), SAMPLE.apply(new Gen(seed)), "seed " + seed);
        }
    }

    @Test
    void differentSeedsDiffer() {
        List<String> samples =
                IntStream.range(0, 100).mapToObj(i -> SAMPLE.apply(new Gen(i))).toList();
        assertEquals(100, samples.stream().distinct().count(), samples.toString());
        assertNotEquals(SAMPLE.apply(new Gen(Gen.DEFAULT_SEED)), SAMPLE.apply(new Gen(Gen.DEFAULT_SEED + 1)));
    }

    @Test
    void aCaseIsMadeAgainFromItsPrintedSeed() {
        List<Case<String>> run = Gen.cases(50, SAMPLE).toList();
        assertEquals(Integer.getInteger(Gen.TRIES_PROPERTY, 50), run.size()); // -Dacw.tries overrides every count
        Case<String> some = run.get(run.size() - 1);
        long seed = Long.parseLong(some.name().substring("seed=".length()));
        assertEquals(some.value(), SAMPLE.apply(new Gen(seed)));
    }

    @Test
    void aFailureNamesTheSeedAndHowToRerun() {
        Case<String> c = new Case<>("seed=42", "x");
        AssertionError e = assertThrows(AssertionError.class, () -> c.check(v -> assertEquals("y", v)));
        assertTrue(e.getMessage().startsWith("seed=42 (rerun: -Dacw.seed=42 -Dacw.tries=1)"), e.getMessage());
        AssertionError thrown = assertThrows(
                AssertionError.class,
                () -> c.check(v -> {
                    throw new IllegalStateException("boom");
                }));
        assertTrue(
                thrown.getMessage().contains("seed=42") && thrown.getMessage().contains("boom"), thrown.getMessage());
    }

    @Test
    void helpersStayInTheirBounds() {
        Gen g = new Gen(7);
        for (int i = 0; i < 2000; i++) {
            int n = g.between(2, 4);
            assertTrue(n >= 2 && n <= 4, "between " + n);
            String s = g.string("ab", 1, 3);
            assertTrue(s.length() >= 1 && s.length() <= 3 && s.matches("[ab]+"), s);
            String t = g.text(300);
            assertTrue(t.length() <= 300, "text length " + t.length());
            t.chars()
                    .forEach(ch -> assertTrue(
                            !Character.isSurrogate((char) ch) && (ch < 0xe000 || ch > 0xf8ff), "char " + ch));
        }
    }
}

package io.acrcache.webhook.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FlagTest {

    @Test
    void splitsALongFlagAtItsFirstEquals() {
        assertEquals(new Flag("--out", "a=b"), Flag.split("--out=a=b"));
        assertEquals(new Flag("--out", ""), Flag.split("--out="));
        assertEquals(new Flag("--", "x"), Flag.split("--=x"), "the caller refuses the bare -- as an unknown option");
    }

    @Test
    void leavesOtherWordsWhole() {
        assertEquals(new Flag("--out", null), Flag.split("--out"));
        assertEquals(new Flag("-f=x", null), Flag.split("-f=x"), "short flags take no inline value");
        assertEquals(new Flag("file=x.yaml", null), Flag.split("file=x.yaml"));
    }

    @Test
    void refusalNamesTheCommandAndTheHelp() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Usage.refuse(new PrintStream(bytes, true, StandardCharsets.UTF_8), "certs", "unknown option --x");
        assertEquals(
                "certs: unknown option --x" + System.lineSeparator() + "Run with --help for usage."
                        + System.lineSeparator(),
                bytes.toString(StandardCharsets.UTF_8));
    }
}

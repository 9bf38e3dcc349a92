package io.acrcache.webhook.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The TLS files a configuration names, checked at start with the rest so one list names every problem (a reload does
 * not open them: the certificate reloader watches those).
 */
final class PemFiles {
    private PemFiles() {}

    /** A file named by {@code field}: there, readable, and PEM holding a {@code -----BEGIN <block>-----} block. */
    static void check(KeyReader r, String field, String file, String block) {
        if (file.isEmpty()) {
            return;
        }
        Path path = Path.of(file);
        if (!Files.exists(path)) {
            r.error(field, file + ": no such file");
            return;
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            r.error(field, file + ": not readable (is it a file this user may read?)");
            return;
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            r.error(field, file + ": not readable (" + e.getMessage() + ")");
            return;
        }
        if (!text.contains("-----BEGIN ") || !text.contains(block + "-----")) {
            r.error(field, file + ": not PEM (expected a '-----BEGIN " + block + "-----' block)");
        }
    }
}

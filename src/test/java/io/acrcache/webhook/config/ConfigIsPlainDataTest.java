package io.acrcache.webhook.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code config} reads the cloud's plain data ({@code cloud}), never the ARM client's package. */
class ConfigIsPlainDataTest {
    @Test
    void configImportsNothingOfAzure() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/java/io/acrcache/webhook/config"))) {
            List<String> offenders = files.filter(f -> {
                        try {
                            return Files.readString(f).contains("io.acrcache.webhook.azure.");
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(f -> f.getFileName().toString())
                    .toList();
            assertEquals(List.of(), offenders);
        }
    }
}

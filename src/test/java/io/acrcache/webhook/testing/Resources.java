package io.acrcache.webhook.testing;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test fixtures from {@code src/test/resources}; a missing one fails the test that needs it, by name. */
public final class Resources {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Resources() {}

    public static byte[] bytes(String path) {
        try (InputStream in = Resources.class.getResourceAsStream("/" + path)) {
            if (in == null) {
                throw new AssertionError("test resource " + path + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String path) {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }

    public static <T> T json(String path, TypeReference<T> type) {
        return JSON.readValue(bytes(path), type);
    }
}

package io.acrcache.webhook.guard.auth;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Reads claims from a JWT's payload without verifying it: the guard only needs to know when a token it was just handed
 * by the issuer stops being valid, so it refreshes ahead instead of assuming a lifetime.
 */
public final class Jwt {
    private Jwt() {}

    public static Optional<JsonObject> payload(String token) {
        if (token == null) {
            return Optional.empty();
        }
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first < 0 || second < 0) {
            return Optional.empty(); // opaque token
        }
        try {
            byte[] json = Base64.getUrlDecoder().decode(stripPadding(token.substring(first + 1, second)));
            return Optional.of(new JsonObject(new String(json, StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public static Optional<Instant> expiry(String token) {
        return payload(token)
                .map(p -> p.getValue("exp"))
                .filter(Number.class::isInstance)
                .map(n -> Instant.ofEpochSecond(((Number) n).longValue()));
    }

    public static Optional<String> claim(String token, String name) {
        return payload(token)
                .map(p -> p.getValue(name))
                .filter(String.class::isInstance)
                .map(String.class::cast);
    }

    private static String stripPadding(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        return s.substring(0, end);
    }
}

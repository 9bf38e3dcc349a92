package io.acrcache.webhook.outbound;

import io.vertx.ext.web.client.HttpResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The one reader of {@code Retry-After} (RFC 9110 §10.2.3): delta-seconds or an HTTP date. A date in the past means
 * now; anything else unreadable (negative, garbage) means absent. Bounded by {@link #MAX}, so a confused server cannot
 * park a caller for days.
 */
public final class RetryAfter {
    public static final Duration MAX = Duration.ofHours(1);

    private RetryAfter() {}

    /** The wait the header asks for, or null when absent or unreadable. */
    public static Duration parse(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String v = header.trim();
        Duration d;
        try {
            long seconds = Long.parseLong(v);
            if (seconds < 0) {
                return null;
            }
            d = seconds > MAX.toSeconds() ? MAX : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                d = Duration.between(now, at);
            } catch (RuntimeException notADate) {
                return null;
            }
        }
        return d.isNegative() ? Duration.ZERO : d.compareTo(MAX) > 0 ? MAX : d;
    }

    public static Duration parse(String header, Clock clock) {
        return parse(header, clock.instant());
    }

    /** The response's {@code Retry-After}, or null. */
    public static Duration of(HttpResponse<?> response, Clock clock) {
        return parse(response.getHeader("Retry-After"), clock.instant());
    }

    /** Whole seconds the header asks for, or -1 when absent or unreadable. */
    public static long seconds(String header, Instant now) {
        Duration d = parse(header, now);
        return d == null ? -1 : d.toSeconds();
    }
}

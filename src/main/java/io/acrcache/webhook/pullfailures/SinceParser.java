package io.acrcache.webhook.pullfailures;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the report's {@code since} filter: an RFC 3339 instant, or a duration back from now. */
final class SinceParser {
    private static final Pattern DURATION = Pattern.compile("(?:\\d{1,9}(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private SinceParser() {}

    /** @throws IllegalArgumentException with a message fit for the client */
    static Instant parse(String text, Instant now) {
        String s = text.trim();
        if (DURATION.matcher(s).matches()) {
            Duration d = Duration.ZERO;
            Matcher m = PART.matcher(s);
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                d = d.plus(
                        switch (m.group(2)) {
                            case "ms" -> Duration.ofMillis(n);
                            case "s" -> Duration.ofSeconds(n);
                            case "m" -> Duration.ofMinutes(n);
                            case "h" -> Duration.ofHours(n);
                            default -> Duration.ofDays(n);
                        });
            }
            return now.minus(d);
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("since: '" + text
                    + "' is neither an RFC 3339 time (2024-05-01T12:00:00Z) nor a duration (30s, 15m, 2h, 1d, 1h30m)");
        }
    }
}

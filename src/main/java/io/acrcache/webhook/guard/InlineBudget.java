package io.acrcache.webhook.guard;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long admission may wait for probes: {@code min(guard.inlineBudget, apiserver timeout − 1 s)}. The apiserver
 * passes its webhook timeout as {@code ?timeout=10s} (a Go duration) on the webhook URL.
 */
public final class InlineBudget {
    private static final Duration MARGIN = Duration.ofSeconds(1);
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us|µs|ns)");

    private InlineBudget() {}

    /**
     * @param configured {@code guard.inlineBudget}
     * @param timeoutQuery the raw {@code timeout} query value, or null when absent
     * @return the budget, never negative; the configured budget when the value is absent or not a Go duration
     */
    public static Duration of(Duration configured, String timeoutQuery) {
        Duration apiserver = parseGoDuration(timeoutQuery);
        if (apiserver == null) {
            return configured;
        }
        Duration left = apiserver.minus(MARGIN);
        if (left.isNegative()) {
            return Duration.ZERO;
        }
        return left.compareTo(configured) < 0 ? left : configured;
    }

    /** A Go duration such as {@code 10s}, {@code 1m30s}, {@code 500ms}; null when it is not one. */
    static Duration parseGoDuration(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        String v = s.trim();
        Matcher m = PART.matcher(v);
        int pos = 0;
        double nanos = 0;
        while (m.find() && m.start() == pos) {
            double n = Double.parseDouble(m.group(1));
            nanos += n
                    * switch (m.group(2)) {
                        case "h" -> 3.6e12;
                        case "m" -> 6e10;
                        case "s" -> 1e9;
                        case "ms" -> 1e6;
                        case "us", "µs" -> 1e3;
                        default -> 1;
                    };
            pos = m.end();
        }
        if (pos != v.length() || pos == 0) {
            return null;
        }
        return Duration.ofNanos((long) nanos);
    }
}

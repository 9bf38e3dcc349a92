package io.acrcache.webhook.outbound;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * A failed outbound call (a token endpoint, ARM, a registry's token service), classified into a bounded {@link Kind} (a
 * metric label) with the service's own error code and message when it gave one, and its {@code Retry-After}. Never
 * carries a token or a client assertion.
 */
public final class OutboundException extends RuntimeException {
    /** Longest message kept: an error page must not flood logs or status pages. */
    static final int MAX_MESSAGE = 500;

    /** Why a call failed; {@link #label()} is the metric label. */
    public enum Kind {
        /** A local credential file (e.g. a projected service-account token) is missing, unreadable or empty. */
        TOKEN_FILE,
        /** No token for the call: the token source failed (its cause is in the message). */
        TOKEN,
        /** The service refused the request (a 4xx with an error body, or no better class). */
        REJECTED,
        UNAUTHORIZED,
        FORBIDDEN,
        NOT_FOUND,
        THROTTLED,
        SERVER_ERROR,
        TIMEOUT,
        CONNECTION,
        /** An answer that does not say what it must (no token in it, not JSON, a looping page link). */
        MALFORMED,
        /** Not called: a credential is not in memory yet and this caller may not wait for one. */
        NOT_READY;

        /** The kinds an attempted call can end with (every kind but {@link #NOT_READY}): one metric series each. */
        public static Set<Kind> callFailures() {
            return EnumSet.complementOf(EnumSet.of(NOT_READY));
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The class of a non-success HTTP status. */
        public static Kind ofStatus(int status) {
            return switch (status) {
                case 401 -> UNAUTHORIZED;
                case 403 -> FORBIDDEN;
                case 404 -> NOT_FOUND;
                case 429 -> THROTTLED;
                default -> status >= 500 ? SERVER_ERROR : REJECTED;
            };
        }

        /** The class of a failure without any HTTP answer. */
        public static Kind ofTransport(Throwable t) {
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return TIMEOUT;
            }
            return CONNECTION;
        }
    }

    private final Kind kind;
    private final String code;
    private final Duration retryAfter;

    /**
     * @param code the service's error code ({@code AuthorizationFailed}, {@code invalid_client}, ...), or null
     * @param retryAfter what the service asked us to wait, or null
     */
    public OutboundException(Kind kind, String code, String message, Duration retryAfter) {
        super(bounded(message));
        this.kind = kind;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public OutboundException(Kind kind, String code, String message) {
        this(kind, code, message, null);
    }

    public OutboundException(Kind kind, String message) {
        this(kind, null, message, null);
    }

    /** Classifies a transport failure (no HTTP answer at all); an already classified one is returned as is. */
    public static OutboundException transport(Throwable t, String what) {
        if (t instanceof OutboundException e) {
            return e;
        }
        Kind kind = Kind.ofTransport(t);
        if (kind == Kind.TIMEOUT) {
            return new OutboundException(kind, what + ": no answer in time (" + t.getMessage() + ")");
        }
        // ConnectException, HttpClosedException, SSLException, other IOExceptions and the unexpected alike
        return new OutboundException(kind, what + ": " + t.getClass().getSimpleName() + ": " + t.getMessage());
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    /** What the service asked us to wait ({@code Retry-After}), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Whole seconds the service asked us to wait, if it did. */
    public OptionalLong retryAfterSeconds() {
        return retryAfter == null ? OptionalLong.empty() : OptionalLong.of(retryAfter.toSeconds());
    }

    /** One line for logs and status pages: kind, code and message. */
    public String describe() {
        return kind.label() + (code == null ? "" : " " + code) + ": " + getMessage();
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // an expected, classified failure: the stack adds nothing to the log line
    }

    private static String bounded(String message) {
        return message == null || message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "…";
    }
}

package io.acrcache.webhook.azure;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * A failed call to Entra ID or ARM, classified into a bounded {@link Cause} (a metric label) with the service's own
 * error code and message when it gave one. Never carries a token or the client assertion.
 */
public final class AzureCallException extends RuntimeException {

    /** Why a call failed; {@link #label()} is the metric label. */
    public enum Cause {
        /** The federated token file is missing, unreadable or empty. */
        TOKEN_FILE,
        /** No Entra token for an ARM call (the token source failed; its cause is in the message). */
        TOKEN,
        /** Entra ID refused the token request (4xx with an AADSTS code, e.g. invalid_client). */
        REJECTED,
        UNAUTHORIZED,
        FORBIDDEN,
        NOT_FOUND,
        THROTTLED,
        SERVER_ERROR,
        TIMEOUT,
        CONNECTION,
        MALFORMED;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Cause cause;
    private final String code;
    private final long retryAfterSeconds;

    public AzureCallException(Cause cause, String code, String message, long retryAfterSeconds) {
        super(message);
        this.cause = cause;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public AzureCallException(Cause cause, String code, String message) {
        this(cause, code, message, -1);
    }

    public Cause failure() {
        return cause;
    }

    /** The service's error code ({@code AuthorizationFailed}, {@code invalid_client}, ...), or null. */
    public String code() {
        return code;
    }

    /** Seconds the service asked us to wait ({@code Retry-After}), if it did. */
    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfterSeconds);
    }

    /** One line for logs and {@code /rules}: cause, code and message. */
    public String describe() {
        return cause.label() + (code == null ? "" : " " + code) + ": " + getMessage();
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // an expected, classified failure: the stack adds nothing to the log line
    }
}

package io.acrcache.webhook.guard;

import io.acrcache.webhook.outbound.OutboundException;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * What one HEAD on a manifest said.
 *
 * @param outcome the class of the answer
 * @param digest {@code Docker-Content-Digest} of a servable manifest, else null
 * @param origin what {@code X-Azure-Origin} said
 * @param retryAfter the registry's {@code Retry-After} on a 429, else null
 * @param detail short text for logs (status, message), never a secret
 */
public record ProbeResult(Outcome outcome, String digest, Origin origin, Duration retryAfter, String detail) {
    private static final String TIMEOUT = "timeout";

    public enum Outcome {
        /** 200 with a manifest: the cache can serve it. */
        SERVABLE("servable"),
        /** 404 (or another image-specific 4xx): this image is not there. */
        NOT_FOUND("not-found"),
        /** Our own credentials were refused (401/403 not about the source registry, or the token flow failed). */
        AUTH("auth"),
        /** The cache rule's credential set was refused by the source registry. */
        UPSTREAM_AUTH("upstream-auth"),
        /** The source registry throttled the cache rule. */
        UPSTREAM_THROTTLED("upstream-throttled"),
        /** The login server itself answered 429. */
        REGISTRY_THROTTLED("registry-throttled"),
        /** 424 Failed Dependency: the cache's request to the source failed. */
        UPSTREAM_FAILED("upstream-failed"),
        /** 5xx, timeout, refused or reset connection. */
        UNAVAILABLE("unavailable"),
        /** Not probed: an inline probe needs an ACR refresh token in memory, and none is there yet. */
        NO_TOKEN("no-token"),
        /** Not probed: the registry's challenge named a token realm on another host, which the guard refuses. */
        REALM_REFUSED("realm-refused");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /**
         * Answers about this one image (404 and other image 4xx, a refusal naming the source registry, 424): a verdict
         * for the image, never evidence against its rule or registry.
         */
        public boolean perImage() {
            return this == NOT_FOUND || this == UPSTREAM_AUTH || this == UPSTREAM_FAILED;
        }

        /** Answers that could be our credentials or the registry as a whole: confirmed by {@code /v2/} first. */
        public boolean ambiguous() {
            return this == AUTH || this == REGISTRY_THROTTLED || this == UNAVAILABLE;
        }
    }

    /** {@code X-Azure-Origin}: {@code upstream} when ACR fetched from the source, other values as local. */
    public enum Origin {
        UPSTREAM("upstream"),
        LOCAL("local"),
        ABSENT("absent");

        private final String label;

        Origin(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        static Origin of(String header) {
            if (header == null || header.isBlank()) {
                return ABSENT;
            }
            return header.trim().equalsIgnoreCase("upstream") ? UPSTREAM : LOCAL;
        }
    }

    /** No answer within the request timeout (as opposed to a refused or reset connection, or a 5xx). */
    boolean timedOut() {
        return outcome == Outcome.UNAVAILABLE && TIMEOUT.equals(detail);
    }

    static ProbeResult of(Outcome outcome, String detail) {
        return new ProbeResult(outcome, null, Origin.ABSENT, null, detail);
    }

    /**
     * The one mapping from an outbound failure (of the token flow) to a verdict: throttling is the registry's, no
     * answer or a 5xx means it is unavailable, not being allowed to wait means no token yet, the rest is our auth.
     */
    static ProbeResult failure(Throwable cause) {
        if (cause instanceof io.acrcache.webhook.guard.auth.RealmRefusedException) {
            return of(Outcome.REALM_REFUSED, cause.getMessage());
        }
        if (!(cause instanceof OutboundException e)) {
            return unavailable(cause);
        }
        Outcome outcome = switch (e.kind()) {
            case THROTTLED -> Outcome.REGISTRY_THROTTLED;
            case SERVER_ERROR, TIMEOUT, CONNECTION -> Outcome.UNAVAILABLE;
            case NOT_READY -> Outcome.NO_TOKEN;
            case TOKEN_FILE, TOKEN, REJECTED, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, MALFORMED -> Outcome.AUTH;
        };
        return new ProbeResult(outcome, null, Origin.ABSENT, e.retryAfter(), e.getMessage());
    }

    /** No answer at all (timeout, refused, reset). */
    static ProbeResult unavailable(Throwable cause) {
        return of(Outcome.UNAVAILABLE, describe(cause));
    }

    private static String describe(Throwable cause) {
        if (cause instanceof TimeoutException) {
            return TIMEOUT;
        }
        if (cause instanceof ConnectException) {
            return "connect refused";
        }
        String m = cause.getMessage();
        return cause.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}

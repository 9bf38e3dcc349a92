package io.acrcache.webhook.opsauth;

/**
 * What the cluster said about one caller and one ops path.
 *
 * @param user who the token belongs to, when it was recognised (for the log); null otherwise
 * @param reason why it was refused, in words a caller can act on; null when allowed
 */
public record AccessDecision(Kind kind, String user, String reason) {

    public enum Kind {
        /** The token is valid and the user may {@code get} the path. */
        ALLOWED(200),
        /** No token, or one the API server does not recognise. */
        UNAUTHENTICATED(401),
        /** A valid token whose user may not {@code get} the path. */
        FORBIDDEN(403),
        /** The API server could not be asked: fail closed. */
        UNAVAILABLE(503);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        /** The HTTP status this answers with. */
        public int status() {
            return status;
        }
    }

    static AccessDecision allowed(String user) {
        return new AccessDecision(Kind.ALLOWED, user, null);
    }

    static AccessDecision unauthenticated(String reason) {
        return new AccessDecision(Kind.UNAUTHENTICATED, null, reason);
    }

    static AccessDecision forbidden(String user, String reason) {
        return new AccessDecision(Kind.FORBIDDEN, user, reason);
    }

    static AccessDecision unavailable(String reason) {
        return new AccessDecision(Kind.UNAVAILABLE, null, reason);
    }
}

package io.acrcache.webhook.guard.auth;

/** A challenge named a token realm on another host than the login server: nothing is sent there. */
public final class RealmRefusedException extends RuntimeException {
    public RealmRefusedException(String message) {
        super(message, null, false, false);
    }
}

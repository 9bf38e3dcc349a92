package io.acrcache.webhook.guard.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * How each login server asks to be authenticated, as learned from {@code /v2/} or a 401: a Bearer challenge (where
 * tokens come from), or none at all ({@code /v2/} answered 200 before any challenge was seen).
 */
public final class Challenges {
    private record Seen(BearerChallenge challenge, boolean open) {}

    private final ConcurrentMap<String, Seen> seen = new ConcurrentHashMap<>();

    /** A challenge seen on a 401: tokens come from its realm, and the registry is not open. */
    public void learn(String loginServer, BearerChallenge challenge) {
        seen.put(loginServer, new Seen(challenge, false));
    }

    /** {@code /v2/} answered 200: open, unless a challenge was already seen (then a HEAD will tell). */
    public void answeredOpen(String loginServer) {
        seen.compute(loginServer, (k, s) -> s == null || s.challenge() == null ? new Seen(null, true) : s);
    }

    /** Whether the registry needs no token at all. */
    public boolean open(String loginServer) {
        Seen s = seen.get(loginServer);
        return s != null && s.open();
    }

    /** The challenge seen, or null. */
    public BearerChallenge challenge(String loginServer) {
        Seen s = seen.get(loginServer);
        return s == null ? null : s.challenge();
    }
}

package io.acrcache.webhook.azure;

import java.time.Instant;

/** A bearer token and the moment it stops being valid (read from the token endpoint's answer, never assumed). */
public record AccessToken(String token, Instant expiresAt) {
    @Override
    public String toString() {
        // never log the secret itself
        return "AccessToken[expiresAt=" + expiresAt + "]";
    }
}

package io.acrcache.webhook.guard;

import java.util.Objects;

/**
 * An image the planner would rewrite, as the guard needs to see it.
 *
 * @param rule the cache rule's name
 * @param loginServer the ACR login server (e.g. {@code myacr.azurecr.io})
 * @param repository the target repository on it (e.g. {@code docker/library/nginx})
 * @param tag the tag, or null
 * @param digest the digest ({@code sha256:...}), or null; when present it is what gets probed, as the runtime pulls by
 *     it
 * @param rewrittenReference the full reference the Pod would get, for logs and annotations
 */
public record Candidate(
        String rule, String loginServer, String repository, String tag, String digest, String rewrittenReference) {
    public Candidate {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(loginServer, "loginServer");
        Objects.requireNonNull(repository, "repository");
        if (tag == null && digest == null) {
            throw new IllegalArgumentException("a candidate needs a tag or a digest: " + rewrittenReference);
        }
    }

    /** The manifest reference that is probed: the digest when there is one, else the tag. */
    public String reference() {
        return digest != null ? digest : tag;
    }

    ProbeTarget target() {
        return new ProbeTarget(loginServer, repository, reference());
    }
}

package io.acrcache.webhook.image;

import java.util.Objects;

/**
 * A parsed, normalized image reference. Produced by {@link ImageReferenceParser}; the components are then guaranteed
 * valid. No {@code latest} tag is ever implied: a reference without tag and digest keeps both {@code null}, so
 * rewriting it does not change what the runtime resolves.
 *
 * @param original the input exactly as written
 * @param registry {@code docker.io} for Docker Hub (any configured alias), otherwise the domain exactly as written,
 *     including any port
 * @param repository the path, with {@code library/} added for one-component Docker Hub names
 * @param tag the tag exactly as written, or {@code null}
 * @param digest the digest exactly as written (e.g. {@code sha256:<64 hex>}), or {@code null}
 */
public record ImageReference(String original, String registry, String repository, String tag, String digest) {

    /** The normalized Docker Hub registry name. */
    public static final String DOCKER_HUB = "docker.io";

    public ImageReference {
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
    }

    /** Whether the registry is Docker Hub (after alias normalization). */
    public boolean isDockerHub() {
        return DOCKER_HUB.equals(registry);
    }

    /** True when neither tag nor digest was written, i.e. the runtime will pull {@code latest}. */
    public boolean hasNoTagOrDigest() {
        return tag == null && digest == null;
    }

    /** {@code registry/repository}, e.g. {@code docker.io/library/nginx}. */
    public String name() {
        return registry + '/' + repository;
    }

    /**
     * {@code ":tag"} and/or {@code "@digest"} as written, or {@code ""}. The parser keeps tag and digest verbatim, so
     * this is exactly the tail of {@link #original()}.
     */
    public String suffix() {
        if (tag == null) {
            return digest == null ? "" : '@' + digest;
        }
        return digest == null ? ':' + tag : ':' + tag + '@' + digest;
    }

    /** Fully qualified form: {@code name()} plus the written tag and/or digest; no implied latest. */
    public String canonical() {
        return withName(registry, repository);
    }

    /**
     * {@code registry/repository} followed by the original tag and digest, exactly as written. The arguments are not
     * validated; they are the caller's (e.g. a cache registry mapping).
     */
    public String withName(String registry, String repository) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        // Sized up front: this runs once per rewritten container.
        int len = registry.length()
                + 1
                + repository.length()
                + (tag == null ? 0 : 1 + tag.length())
                + (digest == null ? 0 : 1 + digest.length());
        StringBuilder sb = new StringBuilder(len).append(registry).append('/').append(repository);
        if (tag != null) {
            sb.append(':').append(tag);
        }
        if (digest != null) {
            sb.append('@').append(digest);
        }
        return sb.toString();
    }
}

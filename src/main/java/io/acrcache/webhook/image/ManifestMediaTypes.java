package io.acrcache.webhook.image;

/**
 * The manifest formats a pull accepts, as a runtime asks for them: an index first, so a multi-arch tag is one answer.
 */
public final class ManifestMediaTypes {
    /** The {@code Accept} header of a manifest HEAD or GET. */
    public static final String ACCEPT = String.join(
            ", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    private ManifestMediaTypes() {}
}

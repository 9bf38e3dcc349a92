package io.acrcache.webhook.guard;

import java.util.Objects;

/** One manifest on a login server: {@code <loginServer>/<repository>} at a tag or a digest ({@code sha256:...}). */
public record ProbeTarget(String loginServer, String repository, String reference) {
    public ProbeTarget {
        Objects.requireNonNull(loginServer, "loginServer");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(reference, "reference");
    }

    public boolean isDigest() {
        return reference.indexOf(':') > 0;
    }

    /**
     * Reads {@code host[:port]/repo/path[:tag][@digest]} (the shape of a rewritten image); a digest wins over a tag, as
     * it does for the container runtime. A reference without tag or digest means {@code latest}.
     */
    public static ProbeTarget parse(String image) {
        int slash = image.indexOf('/');
        if (slash <= 0 || slash == image.length() - 1) {
            throw new IllegalArgumentException("not <login server>/<repository>: " + image);
        }
        String host = image.substring(0, slash);
        String rest = image.substring(slash + 1);
        int at = rest.indexOf('@');
        if (at >= 0) {
            String name = rest.substring(0, at);
            int colon = name.lastIndexOf(':');
            if (colon > name.lastIndexOf('/')) {
                name = name.substring(0, colon);
            }
            return new ProbeTarget(host, name, rest.substring(at + 1));
        }
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            return new ProbeTarget(host, rest.substring(0, colon), rest.substring(colon + 1));
        }
        return new ProbeTarget(host, rest, "latest");
    }

    @Override
    public String toString() {
        return loginServer + "/" + repository + (isDigest() ? "@" : ":") + reference;
    }
}

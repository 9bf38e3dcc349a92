package io.acrcache.webhook.image;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Host names that are treated as Docker Hub. An image whose domain is one of them is normalized to registry
 * {@code docker.io}, with {@code library/} added to one-component paths.
 *
 * <p>Matching is exact and case-sensitive: to containerd {@code Docker.io} is a different host string than
 * {@code docker.io}, and we would rather leave such an image alone than guess. Instances are immutable and thread-safe.
 */
public final class DockerHubHosts {

    /** The hub names distribution/reference itself knows; always present. */
    private static final List<String> MANDATORY = List.of("docker.io", "index.docker.io");

    private static final DockerHubHosts DEFAULTS = new DockerHubHosts(
            List.of("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"));

    // An array, not a Set: the lookup runs on a region of the image string and must not allocate.
    private final String[] hosts;
    private final Set<String> view;

    private DockerHubHosts(Collection<String> hosts) {
        LinkedHashSet<String> set = new LinkedHashSet<>(MANDATORY);
        set.addAll(hosts);
        this.hosts = set.toArray(new String[0]);
        this.view = Collections.unmodifiableSet(set);
    }

    /** {@code docker.io}, {@code index.docker.io}, {@code registry-1.docker.io}, {@code registry.hub.docker.com}. */
    public static DockerHubHosts defaults() {
        return DEFAULTS;
    }

    /**
     * The given hosts plus {@code docker.io} and {@code index.docker.io}, which are always included.
     *
     * @throws NullPointerException if {@code hosts} is null
     * @throws IllegalArgumentException if an entry is null, blank, not a syntactically valid registry host
     *     ({@code host[:port]}), or a name that an image reference can never carry as its domain (it needs a {@code .},
     *     a {@code :}, an uppercase letter, or to be {@code localhost}; otherwise {@code name/x} means Docker Hub
     *     repository {@code name/x}). Such an entry could never match, so it is a configuration error worth failing on.
     */
    public static DockerHubHosts of(Collection<String> hosts) {
        Objects.requireNonNull(hosts, "hosts");
        for (String host : hosts) {
            if (host == null) {
                throw new IllegalArgumentException("Docker Hub host list contains a null entry");
            }
            if (host.isBlank()) {
                throw new IllegalArgumentException("Docker Hub host list contains a blank entry");
            }
            String error = ImageReferenceParser.domainError(host, host.length());
            if (error != null) {
                throw new IllegalArgumentException("invalid Docker Hub host \"" + host + "\": " + error);
            }
            if (!ImageReferenceParser.isDomainPrefix(host, host.length())) {
                throw new IllegalArgumentException("invalid Docker Hub host \"" + host
                        + "\": an image reference never treats it as a registry host"
                        + " (needs a '.', a ':', an uppercase letter, or to be localhost)");
            }
        }
        return new DockerHubHosts(hosts);
    }

    /** Exact, case-sensitive match of a domain (host plus optional port) as written in the image. */
    public boolean isDockerHub(String domain) {
        return domain != null && isDockerHub(domain, 0, domain.length());
    }

    /** Same as {@link #isDockerHub(String)} for {@code s[start, end)}, without a substring. */
    boolean isDockerHub(String s, int start, int end) {
        int len = end - start;
        for (String host : hosts) {
            if (host.length() == len && s.regionMatches(start, host, 0, len)) {
                return true;
            }
        }
        return false;
    }

    /** All hosts, mandatory ones first, in insertion order; unmodifiable. */
    public Set<String> hosts() {
        return view;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DockerHubHosts other && view.equals(other.view);
    }

    @Override
    public int hashCode() {
        return view.hashCode();
    }

    @Override
    public String toString() {
        return "DockerHubHosts" + view;
    }
}

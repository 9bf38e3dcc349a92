package io.acrcache.webhook.cloud;

import java.net.URI;

/**
 * The Azure Resource Manager endpoint: its public-cloud default and the check of {@code registry.armEndpoint}. Plain
 * data, so the configuration can validate it without the ARM client.
 */
public final class ArmEndpoint {
    public static final String DEFAULT = "https://management.azure.com";

    private ArmEndpoint() {}

    /**
     * Checks {@code registry.armEndpoint} and answers it without a trailing slash.
     *
     * @throws IllegalArgumentException naming the field
     */
    public static String check(String armEndpoint) {
        String problem = "registry.armEndpoint: '" + armEndpoint + "' must be an https URL such as " + DEFAULT;
        if (armEndpoint == null || armEndpoint.isBlank()) {
            throw new IllegalArgumentException(problem);
        }
        String base = armEndpoint.trim();
        base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        URI uri;
        try {
            uri = new URI(base);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(problem);
        }
        if (!"https".equalsIgnoreCase(uri.getScheme())
                || uri.getHost() == null
                || (uri.getPath() != null && !uri.getPath().isEmpty())
                || uri.getQuery() != null) {
            throw new IllegalArgumentException(problem);
        }
        return base;
    }
}

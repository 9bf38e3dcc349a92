package io.acrcache.webhook.config;

import java.util.Locale;
import java.util.Map;

/**
 * Who may read the ops endpoints that show other namespaces' data ({@code /pull-failures}, {@code /rules},
 * {@code /doctor}, the status page): {@code kubernetes} asks the API server (TokenReview, then SubjectAccessReview),
 * {@code none} serves anyone who reaches the port, {@code auto} is {@code kubernetes} in a Pod and {@code none} outside
 * one (a laptop has no cluster to ask).
 */
public enum OpsAuthMode {
    KUBERNETES,
    NONE,
    AUTO;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@link #AUTO} decided: {@link #KUBERNETES} when {@code KUBERNETES_SERVICE_HOST} says this is a Pod. */
    public OpsAuthMode resolve(Map<String, String> env) {
        if (this != AUTO) {
            return this;
        }
        return env.get("KUBERNETES_SERVICE_HOST") != null ? KUBERNETES : NONE;
    }
}

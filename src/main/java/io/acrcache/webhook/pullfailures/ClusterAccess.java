package io.acrcache.webhook.pullfailures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Whether a Kubernetes API server can be found the way Fabric8 (and kubectl) look for one: the {@code kubeconfig}
 * system property or {@code KUBECONFIG}, {@code ~/.kube/config}, a master URL given outright, or the service-account
 * environment of a Pod. Without any, Fabric8 falls back to {@code https://kubernetes.default.svc} and fails on DNS many
 * seconds later; this says what is missing at once.
 */
final class ClusterAccess {
    private ClusterAccess() {}

    /**
     * @param env the process environment
     * @param properties system properties by name (null when unset)
     * @param home the user's home folder (null if unknown)
     * @return what is missing, or empty when a cluster can be found
     */
    static Optional<String> missing(Map<String, String> env, UnaryOperator<String> properties, Path home) {
        if (env.get("KUBERNETES_SERVICE_HOST") != null) {
            return Optional.empty(); // in a Pod: the service account
        }
        if (properties.apply("kubernetes.master") != null || env.get("KUBERNETES_MASTER") != null) {
            return Optional.empty();
        }
        String kubeconfig = properties.apply("kubeconfig");
        if (kubeconfig == null) {
            kubeconfig = env.get("KUBECONFIG");
        }
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            for (String part : kubeconfig.split(java.io.File.pathSeparator)) {
                if (!part.isBlank() && Files.isReadable(Path.of(part))) {
                    return Optional.empty();
                }
            }
            return Optional.of("KUBECONFIG names " + kubeconfig + ", which cannot be read, and this is not a Pod:"
                    + " point KUBECONFIG at a kubeconfig file");
        }
        if (home != null && Files.isReadable(home.resolve(".kube").resolve("config"))) {
            return Optional.empty();
        }
        return Optional.of("no kubeconfig and not in a Pod: set KUBECONFIG (or create ~/.kube/config), or turn the"
                + " report off with pullFailures.enabled=false");
    }

    /** The same question about this process. */
    static Optional<String> missing() {
        String home = System.getProperty("user.home");
        return missing(System.getenv(), System::getProperty, home == null ? null : Path.of(home));
    }
}

package io.acrcache.webhook.config;

import io.acrcache.webhook.logging.LogOptions;
import io.acrcache.webhook.rules.CacheRule;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the webhook is configured with, after defaults, the file and environment overrides are merged and
 * validated. Immutable: a reload builds a new instance.
 */
public record Settings(
        String acrLoginServer,
        Mode mode,
        List<String> dockerHubHosts,
        Set<String> excludedNamespaces,
        String optOutAnnotation,
        List<String> excludeImages,
        List<CacheRule> rules,
        Server server,
        Ops ops,
        PullFailures pullFailures,
        Guard guard,
        Logging logging,
        Shutdown shutdown,
        Registry registry) {

    /** The admission listener (TLS). Empty certificate paths mean: generate development certificates. */
    public record Server(
            String host,
            int port,
            String tlsCertFile,
            String tlsKeyFile,
            int maxBodyBytes,
            int maxHeaderBytes,
            int requestTimeoutSeconds,
            int idleTimeoutSeconds,
            int maxConnections) {
        public boolean hasCertificate() {
            return !tlsCertFile.isEmpty() && !tlsKeyFile.isEmpty();
        }
    }

    /** The plain-HTTP listener for health, metrics and the pull-failure report. */
    public record Ops(String host, int port, OpsAuthMode auth, boolean metricsAuth) {}

    public record PullFailures(boolean enabled, List<String> namespaces, int maxEntries, int retentionMinutes) {}

    /**
     * The registry guard (package {@code guard}).
     *
     * @param canaries cache rule name to a source image probed through that rule
     */
    public record Guard(
            boolean enabled,
            GuardChoices.Auth auth,
            int inlineBudgetMillis,
            GuardChoices.UnknownPolicy unknownPolicy,
            int tagTtlSeconds,
            int digestTtlSeconds,
            int notFoundTtlSeconds,
            int maxInflightProbes,
            String caFile,
            Map<String, String> canaries) {}

    public record Logging(String format, String level) {
        /** The same, in the logging package's own terms. */
        public LogOptions options() {
            return new LogOptions(format, level);
        }
    }

    public record Shutdown(int drainSeconds) {}

    /**
     * The registry the cache rules live in, read over ARM with the Pod's workload identity. An empty {@code resourceId}
     * means: no registry sync, no drift check.
     */
    public record Registry(String resourceId, boolean ruleSync, int ruleSyncIntervalSeconds, String armEndpoint) {
        public boolean configured() {
            return !resourceId.isEmpty();
        }
    }
}

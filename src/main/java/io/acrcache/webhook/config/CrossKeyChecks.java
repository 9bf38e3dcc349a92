package io.acrcache.webhook.config;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.rules.ImageExclusions;
import io.acrcache.webhook.rules.RuleSet;

import java.util.ArrayList;
import java.util.List;

/**
 * The checks no single key can make on its own, over the bound settings: Docker Hub hosts, both TLS files or neither,
 * image exclusions, the TLS files themselves (at start), and the rules compiled against the hosts.
 */
final class CrossKeyChecks {
    private CrossKeyChecks() {}

    /** Adds each problem to the reader's errors; answers the compiled rules, null when the hosts are refused. */
    static RuleSet check(Settings s, KeyReader r, boolean checkFiles) {
        DockerHubHosts hubs = null;
        try {
            hubs = DockerHubHosts.of(s.dockerHubHosts());
        } catch (IllegalArgumentException e) {
            r.error("dockerHubHosts", e.getMessage());
        }
        Settings.Server server = s.server();
        if (server.tlsCertFile().isEmpty() != server.tlsKeyFile().isEmpty()) {
            r.error("server.tlsCertFile, server.tlsKeyFile", "set both or neither");
        }
        List<String> exclusionErrors = new ArrayList<>();
        ImageExclusions.compile(s.excludeImages(), exclusionErrors);
        exclusionErrors.forEach(msg -> r.error("excludeImages", msg));
        guardBudget(s, r);
        if (checkFiles) {
            PemFiles.check(r, "server.tlsCertFile", server.tlsCertFile(), "CERTIFICATE");
            PemFiles.check(r, "server.tlsKeyFile", server.tlsKeyFile(), "PRIVATE KEY");
            PemFiles.check(r, "guard.caFile", s.guard().caFile(), "CERTIFICATE");
        }
        if (hubs == null) {
            return null;
        }
        List<String> ruleErrors = new ArrayList<>();
        RuleSet ruleSet = RuleSet.compile(s.rules(), hubs, ruleErrors);
        ruleErrors.forEach(msg -> r.error("rules", msg));
        return ruleSet;
    }

    /**
     * The guard's inline budget must leave the admission time to answer within {@code server.requestTimeoutSeconds} (at
     * least half a second), or the apiserver gets a 408 instead of an answer.
     */
    private static void guardBudget(Settings s, KeyReader r) {
        if (!s.guard().enabled()) {
            return;
        }
        long budget = s.guard().inlineBudgetMillis();
        long timeout = s.server().requestTimeoutSeconds() * 1000L;
        if (budget + 500 > timeout) {
            r.error(
                    "guard.inlineBudgetMillis",
                    budget + " does not fit server.requestTimeoutSeconds (" + timeout / 1000
                            + " s): keep it at least 500 ms below");
        }
    }
}

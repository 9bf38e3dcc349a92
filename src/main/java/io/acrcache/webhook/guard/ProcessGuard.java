package io.acrcache.webhook.guard;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.azure.WorkloadIdentity;
import io.acrcache.webhook.tls.TrustBundles;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/** The running webhook's guard: a {@link GuardHolder} that builds each guard with the process's Entra tokens. */
public final class ProcessGuard {
    private static final Logger LOG = Logger.getLogger(ProcessGuard.class.getName());

    private ProcessGuard() {}

    /**
     * @param tokens the process's Entra token source (shared with the registry sync)
     * @param env the environment: whether the workload identity variables are there
     * @param tuning settings without a configuration key (tests only)
     * @param caFile {@code guard.caFile}: CAs trusted besides the JVM's, empty for none; read once, at start
     */
    public static GuardHolder holder(
            Vertx vertx,
            AccessTokenSource tokens,
            Map<String, String> env,
            MeterRegistry meters,
            UnaryOperator<GuardSettings> tuning,
            String caFile)
            throws IOException {
        boolean identity = WorkloadIdentity.present(env);
        WebClientOptions client = new WebClientOptions();
        if (caFile != null && !caFile.isEmpty()) {
            client.setTrustOptions(TrustBundles.jvmPlus(Path.of(caFile)));
            LOG.info("guard: trusting the JVM's CAs and those of " + caFile);
        }
        return new GuardHolder(
                (settings, previous) -> new Guard(
                        vertx,
                        settings,
                        tokens(settings, tokens, identity),
                        meters,
                        Clock.systemUTC(),
                        client,
                        previous),
                tuning,
                meters);
    }

    /**
     * Which Entra tokens the guard signs in to ACR with: none for anonymous pulls; with workload identity but no
     * identity in the environment, the shared source fails naming what is missing, so the guard leaves every image
     * alone ({@code guard-no-token}) and admission stays up.
     */
    static AccessTokenSource tokens(GuardSettings settings, AccessTokenSource tokens, boolean identity) {
        if (settings.auth() == GuardSettings.Auth.ANONYMOUS) {
            return null;
        }
        if (!identity) {
            LOG.warning("guard: " + WorkloadIdentity.MISSING + " (chart: azure.workloadIdentity.clientId), or set"
                    + " guard.auth: anonymous; every image is left as written until then");
        }
        return tokens;
    }
}

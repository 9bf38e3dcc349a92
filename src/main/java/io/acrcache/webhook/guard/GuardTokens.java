package io.acrcache.webhook.guard;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.azure.WorkloadIdentity;

import java.util.logging.Logger;

/** Which Entra tokens the guard signs in to ACR with. */
public final class GuardTokens {
    private static final Logger LOG = Logger.getLogger(GuardTokens.class.getName());

    private GuardTokens() {}

    /**
     * None for anonymous pulls; with workload identity but no identity in the environment, the shared source fails
     * naming what is missing, so the guard leaves every image alone ({@code unknown-no-token}) and admission stays up.
     *
     * @param identity whether the workload identity variables are present
     */
    public static AccessTokenSource of(GuardSettings settings, AccessTokenSource tokens, boolean identity) {
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

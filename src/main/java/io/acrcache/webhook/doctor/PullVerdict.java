package io.acrcache.webhook.doctor;

import io.acrcache.webhook.guard.ProbeTarget;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;

import java.util.Locale;

/** What a canary HEAD's answer means for the chain, and the fix for each way it can fail. */
final class PullVerdict {

    private PullVerdict() {}

    /** The credential set the registry's rule of this name uses, as far as the rule list was read. */
    private static String set(Chain chain, String rule) {
        if (chain.snapshot == null) {
            return "<set>";
        }
        return chain.snapshot.cacheRules().stream()
                .filter(r -> r.name().equals(rule) && r.credentialSetResourceId() != null)
                .map(r -> ArmReader.lastSegment(r.credentialSetResourceId()))
                .findFirst()
                .orElse("<set>");
    }

    static Check of(Chain chain, String id, String title, ProbeTarget target, HttpResponse<Buffer> r, Throwable e) {
        String reg = chain.registryName();
        if (r == null) {
            return Check.fail(
                    id,
                    title,
                    target + ": no answer (" + e + ")",
                    "allow egress from the cluster to " + target.loginServer() + ":443; run the doctor again");
        }
        int status = r.statusCode();
        if (status >= 200 && status < 300) {
            String origin = r.getHeader("X-Azure-Origin");
            return Check.pass(
                    id,
                    title,
                    target + " servable, digest " + r.getHeader("Docker-Content-Digest") + ", X-Azure-Origin: "
                            + (origin == null ? "(none: served from the cache)" : origin));
        }
        String answer = PullThroughChecks.answer(r);
        String text = answer.toLowerCase(Locale.ROOT);
        boolean source = text.contains("source registry");
        String detail = target + ": " + answer;
        String rule = id.substring("pull.".length());
        if ((status == 401 || status == 403) && source) {
            return Check.fail(
                    id,
                    title,
                    detail + " (the rule's credential set was refused upstream)",
                    "repair the rule's credential set (see credential-set." + set(chain, rule)
                            + "): az acr credential-set show -r " + reg + " -n " + set(chain, rule)
                            + "; put a valid Docker Hub user name and access token in its Key Vault secrets");
        }
        if (status == 401 || status == 403) {
            return Check.fail(
                    id,
                    title,
                    detail + " (the webhook's identity may not pull)",
                    "az role assignment create --assignee " + chain.clientId() + " --role AcrPull --scope "
                            + chain.registryIdOrPlaceholder()
                            + " (for guard.auth anonymous: az acr update -n " + reg
                            + " --anonymous-pull-enabled true)");
        }
        if (status == 429 && source) {
            return Check.fail(
                    id,
                    title,
                    detail + " (the upstream registry throttles the rule's credentials: toomanyrequests)",
                    "use a Docker Hub account with a higher pull limit: az keyvault secret set --vault-name <vault>"
                            + " --name <token secret> --value <access token of a paid account>");
        }
        if (status == 429) {
            return Check.warn(
                    id, title, detail + " (the registry throttles reads)", "retry later; Premium allows more reads");
        }
        if (status == 424) {
            return Check.fail(
                    id,
                    title,
                    detail + " (the registry could not fetch from upstream)",
                    "let the registry reach the upstream: az acr update -n " + reg + " --allow-trusted-services true,"
                            + " check registry-network and the credential set");
        }
        if (status == 404) {
            return Check.fail(
                    id,
                    title,
                    detail + " (manifest unknown)",
                    "check that the rule exists (az acr cache show -r " + reg + " -n " + rule + ") and that "
                            + target.reference() + " exists upstream, or set guard.canaries." + rule
                            + " to an image that does");
        }
        return Check.fail(
                id,
                title,
                detail,
                "the registry failed: check https://azure.status.microsoft and run the doctor again");
    }
}

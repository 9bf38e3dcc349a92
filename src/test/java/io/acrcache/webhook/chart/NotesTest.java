package io.acrcache.webhook.chart;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.acrcache.webhook.chart.ChartRenderer.FULLNAME;
import static io.acrcache.webhook.chart.ChartRenderer.NAMESPACE;
import static io.acrcache.webhook.chart.ChartRenderer.values;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What `helm install` prints afterwards. */
class NotesTest {

    private static void assertContains(String notes, String expected) {
        assertTrue(notes.contains(expected), () -> "NOTES lack\n  " + expected + "\nin\n" + notes);
    }

    @Test
    void tellWhatWasInstalledHowToVerifyAndWhereToLook() {
        String notes = ChartRenderer.notes(values(), List.of());

        assertContains(notes, "Deployment " + FULLNAME + " (replicas: 2)");
        assertContains(notes, "image myacr.azurecr.io/acr-cache-webhook:0.1.0");
        assertContains(notes, "MutatingWebhookConfiguration " + FULLNAME);
        assertContains(notes, "Namespaces never touched: kube-system, " + NAMESPACE);
        assertContains(notes, "kubectl -n " + NAMESPACE + " rollout status deployment/" + FULLNAME);
        // rewrites: the kubectl warning and the original-images annotation
        assertContains(notes, "kubectl -n acw-demo run nginx --image=nginx:1.25");
        assertContains(notes, "myacr.azurecr.io/docker/library/nginx:1.25");
        assertContains(notes, "acr-cache-webhook\\.io/original-images");
        // the pull-failure report through the ops port
        assertContains(notes, "kubectl -n " + NAMESPACE + " port-forward service/" + FULLNAME + "-ops 9090:9090");
        assertContains(notes, "curl -s localhost:9090/pull-failures");
        assertContains(notes, "curl -s localhost:9090/rules");
        // ops.auth auto (the default): the reports need a token
        assertContains(
                notes,
                "curl -s localhost:9090/pull-failures -H \"Authorization: Bearer $(kubectl create token <sa> -n <ns>)\"");
        assertContains(notes, "ClusterRole " + FULLNAME + "-ops-reader");
        assertContains(notes, "set registry.resourceId to sync them from the");
        // off, the report is not empty but absent: what the reporter answers then
        assertContains(notes, "/pull-failures answers 404 with an error saying so until you set");
        assertFalse(notes.contains("stays empty"), notes);
        assertContains(notes, "failurePolicy is Ignore");
        assertFalse(notes.contains("WARNING"), notes);
    }

    @Test
    void warnAboutASingleReplicaAndFollowTheCertificateMode() {
        String notes = ChartRenderer.notes(
                values(
                        "replicaCount", "1",
                        "certificates.mode", "certManager",
                        "pullFailures.enabled", "true",
                        "webhook.failurePolicy", "Fail"),
                List.of());

        assertContains(notes, "WARNING: replicaCount is 1");
        assertContains(notes, "issued by cert-manager (Certificate " + FULLNAME + "-serving)");
        assertContains(notes, "may read Events cluster-wide");
        assertFalse(notes.contains("answers 404"), notes);
        assertFalse(notes.contains("failurePolicy is Ignore"), notes);
    }

    @Test
    void sayWhetherTheGuardIsOnAndWhatItNeeds() {
        String off = ChartRenderer.notes(values(), List.of());
        assertContains(off, "The registry guard is off (guard.enabled: auto)");
        String identity = ChartRenderer.notes(
                values("azure.workloadIdentity.clientId", "5a1d0e8c-7b3f-4c55-9c1d-3b2e9f0a7d64"), List.of());
        assertContains(identity, "The registry guard is on (guard.enabled: auto, because a workload identity is set)");
        assertContains(identity, "AcrPull on the registry; without a token every image is left");
        assertContains(identity, "guard-no-token");
        assertContains(identity, "java -jar /app/acr-cache-webhook.jar doctor");
        String anonymous = ChartRenderer.notes(values("guard.auth", "anonymous"), List.of());
        assertContains(anonymous, "because guard.auth is anonymous");
        assertContains(anonymous, "a registry that allows anonymous pull");
    }
}

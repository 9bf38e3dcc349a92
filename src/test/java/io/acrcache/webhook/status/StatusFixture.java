package io.acrcache.webhook.status;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.doctor.Check;
import io.acrcache.webhook.pullfailures.ReportEntry;
import io.acrcache.webhook.rulesync.RegistryRules.RuleCredential;
import io.acrcache.webhook.rulesync.RegistryRules.SkippedRule;
import io.acrcache.webhook.rulesync.SyncStatus;
import io.acrcache.webhook.status.StatusInputs.BreakerView;
import io.acrcache.webhook.status.StatusInputs.GuardView;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * A status page with something in every section: two rules (one breaker open, one credential set Unhealthy), a registry
 * sync, real admissions (a rewrite and skips), a pull-failure report and doctor checks.
 */
final class StatusFixture {
    static final String CONFIG = """
            acrLoginServer: myacr.azurecr.io
            registry:
              resourceId: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myacr
              ruleSync: true
            rules:
              - {name: docker-hub, source: docker.io/*, target: docker/*}
              - {name: quay, source: quay.io/*, target: quay/*}
            """;

    private StatusFixture() {}

    static LoadedConfig config() {
        return TestConfigs.yaml(CONFIG);
    }

    static AdmissionResult admit(LoadedConfig config, String... images) throws Exception {
        return new AdmissionReviewHandler(() -> config)
                .handle(Reviews.create(TestPods.withImages(images)).getBytes(StandardCharsets.UTF_8), null);
    }

    static GuardView guard() {
        return new GuardView() {
            @Override
            public BreakerView rule(String name) {
                return name.equals("quay")
                        ? new BreakerView("open", "credential set quay-creds is Unhealthy", false)
                        : new BreakerView("closed", "", false);
            }

            @Override
            public BreakerView registry(String loginServer) {
                return new BreakerView("closed", "", false);
            }
        };
    }

    static SyncStatus sync(Instant now) {
        return new SyncStatus(
                now.minusSeconds(40),
                now.minusSeconds(40),
                "success",
                null,
                null,
                List.of(new SkippedRule("ghcr-new", "provisioningState is Creating, not Succeeded")),
                List.of(
                        new RuleCredential("docker-hub", "dockerhub-creds", "Healthy", null, null),
                        new RuleCredential("quay", "quay-creds", "Unhealthy", "KeyVaultSecretNotFound", "gone")),
                null,
                now.plusSeconds(260),
                0);
    }

    static List<ReportEntry> report(Instant now) {
        return List.of(
                new ReportEntry(
                        "shop",
                        "ghcr.io/<b>org</b>/app:1",
                        "not-covered",
                        "ghcr.io",
                        null,
                        "add a cache rule for ghcr.io (az acr cache create ...)",
                        3,
                        now.minusSeconds(600).toString(),
                        now.minusSeconds(30).toString(),
                        List.of("web-1", "web-2"),
                        List.of("app"),
                        List.of("node-a"),
                        "toomanyrequests"),
                new ReportEntry(
                        "batch",
                        "redis:7",
                        "not-rewritten",
                        "docker.io",
                        "docker-hub",
                        "the Pod was created before the webhook served: restart it",
                        1,
                        now.minusSeconds(900).toString(),
                        now.minusSeconds(300).toString(),
                        List.of("job-1"),
                        List.of("redis"),
                        List.of("node-b"),
                        "toomanyrequests"));
    }

    static List<Check> doctor() {
        return List.of(
                Check.pass("registry.reachable", "Registry reachable", "myacr.azurecr.io answered /v2/"),
                Check.warn(
                        "rules.credentials", "Credential sets", "quay-creds is Unhealthy", "fix the Key Vault secret"));
    }

    /** The page over the fixture, with a rewrite and three images left alone recorded. */
    static StatusPage page(Clock clock) throws Exception {
        LoadedConfig config = config();
        Instant now = clock.instant();
        RecentDecisions decisions = new RecentDecisions(StatusPage.RECENT, clock);
        decisions.accept(admit(config, "nginx:1.27", "ghcr.io/org/app:1", "myacr.azurecr.io/docker/library/redis:7"));
        decisions.accept(admit(config, "quay.io/prometheus/node-exporter:v1.8.0"));
        StatusInputs in = new StatusInputs(
                "1.2.3-test", () -> config, () -> guard(), () -> sync(now), () -> report(now), StatusFixture::doctor);
        return new StatusPage(in, decisions, clock);
    }
}

package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.azure.AzureHttp;
import io.acrcache.webhook.azure.EntraTokenSource;
import io.acrcache.webhook.azure.FakeTls;
import io.acrcache.webhook.azure.WorkloadIdentity;
import io.acrcache.webhook.image.DockerHubHosts;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static io.acrcache.webhook.azure.FakeTls.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Prometheus names docs/azure.md promises, as the webhook's /metrics renders them. */
class MetricNamesTest {
    @Test
    void namesAsDocumented() {
        Vertx vertx = Vertx.vertx();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RuleSync sync = new RuleSync(
                vertx,
                () -> Future.succeededFuture(RegistryRulesTest.fixtureSnapshot()),
                snapshot -> {
                    RegistryRules.Result converted = RegistryRules.convert(snapshot, DockerHubHosts.defaults());
                    return ApplyResult.compared(converted, Drift.NONE);
                },
                RuleSync.Options.every(Duration.ofMinutes(5)),
                registry,
                Clock.systemUTC());
        EntraTokenSource tokens = new EntraTokenSource(
                vertx,
                AzureHttp.client(vertx, AzureHttp.Timeouts.DEFAULT),
                new WorkloadIdentity(
                        "c", "t", Path.of("/nonexistent/token"), java.net.URI.create("https://localhost:1/")));
        try {
            tokens.bindMetrics(registry);
            FakeTls.failure(tokens.token("https://management.azure.com/.default"));
            await(sync.start());
            String scrape = registry.scrape();
            for (String line : new String[] {
                "acw_registry_sync_total{result=\"success\"} 1.0",
                "acw_registry_sync_total{result=\"throttled\"} 0.0",
                "acw_registry_sync_last_success_seconds ",
                "acw_registry_rules_skipped 2.0",
                "acw_registry_credential_health{credential_set=\"quay-creds\",rule=\"quay\"} 0.0",
                "acw_registry_credential_health{credential_set=\"dockerhub-creds\",rule=\"nginx\"} 1.0",
                "acw_registry_drift{kind=\"only_registry\"} 0.0",
                "acw_azure_token_failures_total{reason=\"token-file\"} 1.0",
                "acw_azure_token_expires_in_seconds{scope=\"https://management.azure.com/.default\"} NaN"
            }) {
                assertTrue(scrape.contains(line), line + " in\n" + scrape);
            }
        } finally {
            sync.close();
            tokens.close();
            await(vertx.close());
        }
    }
}

package io.acrcache.webhook;

import io.acrcache.webhook.guard.Breaker;
import io.acrcache.webhook.guard.Candidate;
import io.acrcache.webhook.guard.Guard;
import io.acrcache.webhook.guard.GuardHolder;
import io.acrcache.webhook.guard.Verdict;
import io.acrcache.webhook.pullfailures.FailureCategory;
import io.acrcache.webhook.pullfailures.GuardFeed;
import io.acrcache.webhook.pullfailures.KubeletFailure;
import io.acrcache.webhook.testing.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pull-failure report's feed into the guard: its categories mapped to the guard's signals. */
class GuardHearsPullFailuresTest {
    @Test
    void confirmedKubeletFailuresOnTheCacheFeedTheGuardAndOthersDoNot() throws Exception {
        Vertx vertx = Vertx.vertx();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        GuardHolder holder = new GuardHolder(
                s -> new Guard(vertx, s, null, meters, Clock.systemUTC()),
                s -> s.toBuilder().scheme("http").build(),
                meters);
        try {
            // nothing happens while the guard is off
            hears(holder, "docker-hub", "127.0.0.1:9/docker/library/x:1", FailureCategory.CACHE_NOT_FOUND);
            holder.apply(TestConfigs.yaml("acrLoginServer: '127.0.0.1:9'\nguard: {enabled: true, auth: anonymous}\n"));
            Guard guard = holder.get();
            String image = "127.0.0.1:9/docker/library/nginx:9.99";
            hears(holder, "docker-hub", image, FailureCategory.CACHE_NOT_FOUND);
            Candidate c = new Candidate("docker-hub", "127.0.0.1:9", "docker/library/nginx", "9.99", null, image);
            Verdict v = guard.resolve(List.of(c), Duration.ZERO, true)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS)
                    .get(0);
            assertEquals(Verdict.Basis.CACHE_NOT_FOUND, v.basis(), "a kubelet 'not found' is remembered at once");

            hears(holder, "docker-hub", image, FailureCategory.NOT_REWRITTEN);
            assertEquals(Breaker.State.CLOSED, guard.ruleState("docker-hub"), "not the cache's failure");
            for (int i = 0; i < 3; i++) {
                hears(holder, "docker-hub", "127.0.0.1:9/docker/library/a:" + i, FailureCategory.CACHE_UPSTREAM_FAILED);
            }
            assertFalse(guard.kubeletHold("docker-hub"), "424s (the source refusing an image) are about their images");
            for (int i = 0; i < 3; i++) {
                hears(holder, "docker-hub", "127.0.0.1:9/docker/library/b:" + i, FailureCategory.CACHE_UNAUTHORIZED);
            }
            assertTrue(guard.kubeletHold("docker-hub"), "the registry refusing three Pods' nodes holds the rule");
        } finally {
            holder.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static int pods;

    /** A confirmed kubelet failure, each from a Pod of its own. */
    private static void hears(GuardHolder holder, String rule, String image, FailureCategory category) {
        new GuardFeed(holder::get)
                .cachePullFailed(new KubeletFailure(rule, image, category, "shop/web-" + pods++, "node-0"));
    }
}

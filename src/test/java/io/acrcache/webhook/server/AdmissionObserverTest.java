package io.acrcache.webhook.server;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.testing.LogCapture;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The info log of admissions: one line per admission that rewrote, naming every rewrite; nothing otherwise. */
class AdmissionObserverTest {
    private static final Logger ADMISSION_LOG = Logger.getLogger("io.acrcache.webhook.admission");
    private LogCapture capture;

    @BeforeEach
    void listen() {
        capture = LogCapture.on(ADMISSION_LOG, Level.INFO);
    }

    @AfterEach
    void stopListening() {
        capture.detach();
    }

    private static AdmissionResult admit(LoadedConfig config, Mode mode, String... images) throws Exception {
        return new AdmissionReviewHandler(() -> config)
                .handle(Reviews.create(TestPods.withImages(images)).getBytes(StandardCharsets.UTF_8), mode);
    }

    private List<String> infoLines() {
        List<String> out = new ArrayList<>();
        for (LogRecord r : capture.records()) {
            if (r.getLevel() == Level.INFO) {
                out.add(r.getMessage());
            }
        }
        return out;
    }

    @Test
    void oneInfoLinePerAdmissionNamesEveryRewrite() throws Exception {
        LoadedConfig config = TestConfigs.yaml("acrLoginServer: my.azurecr.io\n");
        AdmissionObserver observer = new AdmissionObserver(new SimpleMeterRegistry());

        observer.answered(admit(config, null, "nginx:1.27", "ghcr.io/org/app:1", "bitnami/redis:7"), 1000);

        assertEquals(
                List.of("rewrite namespace=apps pod=p images=2: "
                        + "container=c0 from=nginx:1.27 to=my.azurecr.io/docker/library/nginx:1.27 rule=docker-hub; "
                        + "container=c2 from=bitnami/redis:7 to=my.azurecr.io/docker/bitnami/redis:7 rule=docker-hub"),
                infoLines());
    }

    @Test
    void auditSaysWouldAndNoRewriteSaysNothing() throws Exception {
        LoadedConfig config = TestConfigs.yaml("acrLoginServer: my.azurecr.io\n");
        AdmissionObserver observer = new AdmissionObserver(new SimpleMeterRegistry());

        observer.answered(admit(config, Mode.AUDIT, "busybox"), 1000);
        observer.answered(admit(config, null, "ghcr.io/org/app:1"), 1000);

        assertEquals(
                List.of("audit: would rewrite namespace=apps pod=p images=1: "
                        + "container=c0 from=busybox to=my.azurecr.io/docker/library/busybox rule=docker-hub"),
                infoLines());
    }

    @Test
    void theHookSeesEveryAnsweredReview() throws Exception {
        LoadedConfig config = TestConfigs.yaml("acrLoginServer: my.azurecr.io\n");
        AdmissionObserver observer = new AdmissionObserver(new SimpleMeterRegistry());
        List<AdmissionResult> seen = new ArrayList<>();
        observer.hook(seen::add);

        AdmissionResult answered = admit(config, null, "busybox");
        observer.answered(answered, 1000);
        observer.rehearse(admit(config, null, "nginx")); // the warm-up's rehearsal is no admission

        assertEquals(List.of(answered), seen);
    }
}

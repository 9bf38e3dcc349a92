package io.acrcache.webhook.server;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.Outcome;
import io.acrcache.webhook.admission.metrics.AdmissionMetrics;
import io.acrcache.webhook.config.Mode;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Turns each answered review into metrics and log lines: one per admission at debug, one per rewrite at info. */
final class AdmissionObserver {
    private static final Logger LOG = Logger.getLogger("io.acrcache.webhook.admission");
    private final AdmissionMetrics metrics;

    AdmissionObserver(MeterRegistry registry) {
        this.metrics = new AdmissionMetrics(registry);
    }

    void answered(AdmissionResult r, long nanos) {
        metrics.record(r, nanos);
        if (r.outcome() == Outcome.ERROR) {
            LOG.log(
                    Level.SEVERE,
                    "admission failed for pod " + r.namespace() + "/" + r.podName() + "; admitted unchanged",
                    r.error());
        }
        if (LOG.isLoggable(Level.INFO)) {
            for (ImageDecision d : r.decisions()) {
                if (d.isRewrite()) {
                    LOG.info((r.mode() == Mode.AUDIT
                                    ? "audit: would rewrite"
                                    : r.dryRun() ? "dry run: rewrite" : "rewrite")
                            + " namespace=" + r.namespace() + " pod=" + r.podName() + " container=" + d.container()
                            + " from=" + d.original() + " to=" + d.rewritten() + " rule="
                            + d.match().rule().name());
                }
            }
        }
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine("admission operation=" + r.operation() + " namespace=" + r.namespace() + " pod=" + r.podName()
                    + " outcome=" + r.outcome().label() + " images="
                    + r.decisions().size()
                    + " micros=" + nanos / 1000);
        }
    }

    void malformed(String why) {
        metrics.malformed();
        LOG.warning("refused a request body: " + why);
    }
}

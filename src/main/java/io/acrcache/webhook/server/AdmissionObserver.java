package io.acrcache.webhook.server;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.Outcome;
import io.acrcache.webhook.admission.metrics.AdmissionMetrics;
import io.acrcache.webhook.config.Mode;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns each answered review into metrics and log lines: at info one line per admission that rewrote images, listing
 * every rewrite (one record instead of one per image: the log writer shares the cores with the event loops); at debug
 * one line per admission.
 */
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
            String line = rewriteLine(r);
            if (line != null) {
                LOG.info(line);
            }
        }
        if (LOG.isLoggable(Level.FINE)) {
            LOG.fine("admission operation=" + r.operation() + " namespace=" + r.namespace() + " pod=" + r.podName()
                    + " outcome=" + r.outcome().label() + " images="
                    + r.decisions().size()
                    + " micros=" + nanos / 1000);
        }
    }

    /**
     * {@code rewrite namespace=N pod=P images=K: container=C from=F to=T rule=R; container=...}, or null when nothing
     * was rewritten. The prefix says whether the rewrite was applied, a dry run, or only what audit mode would do.
     */
    static String rewriteLine(AdmissionResult r) {
        StringBuilder sb = null;
        int count = 0;
        for (ImageDecision d : r.decisions()) {
            if (!d.isRewrite()) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(160 + 160 * r.decisions().size());
            } else {
                sb.append("; ");
            }
            count++;
            sb.append("container=")
                    .append(d.container())
                    .append(" from=")
                    .append(d.original())
                    .append(" to=")
                    .append(d.rewritten())
                    .append(" rule=")
                    .append(d.match().rule().name());
        }
        if (sb == null) {
            return null;
        }
        String head = (r.mode() == Mode.AUDIT ? "audit: would rewrite" : r.dryRun() ? "dry run: rewrite" : "rewrite")
                + " namespace=" + r.namespace() + " pod=" + r.podName() + " images=" + count + ": ";
        return sb.insert(0, head).toString();
    }

    /**
     * What {@link #answered} does for a synthetic review of the warm-up, minus counting and logging: the meters it
     * would count are registered and its log line is built, so the first real admission finds them ready.
     */
    void rehearse(AdmissionResult r) {
        metrics.prepare(r);
        rewriteLine(r);
    }

    void malformed(String why) {
        metrics.malformed();
        LOG.warning("refused a request body: " + why);
    }
}

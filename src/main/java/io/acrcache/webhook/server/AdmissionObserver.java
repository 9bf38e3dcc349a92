package io.acrcache.webhook.server;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.Outcome;
import io.acrcache.webhook.admission.metrics.AdmissionMetrics;
import io.acrcache.webhook.config.Mode;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.Consumer;
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
    // set once at wiring (the status page's ring buffer); it must be cheap and never block: it runs on the event loop
    private volatile Consumer<AdmissionResult> hook;

    AdmissionObserver(MeterRegistry registry) {
        this.metrics = new AdmissionMetrics(registry);
    }

    /** Also hands each answered review to {@code hook} (one at most; the status page's recent decisions). */
    void hook(Consumer<AdmissionResult> hook) {
        this.hook = hook;
    }

    void answered(AdmissionResult r, long nanos) {
        metrics.record(r, nanos);
        Consumer<AdmissionResult> h = hook;
        if (h != null) {
            h.accept(r);
        }
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
        int count = 0;
        int size = 64 + r.namespace().length() + r.podName().length();
        for (ImageDecision d : r.decisions()) {
            if (d.isRewrite()) {
                count++;
                size += 40
                        + d.container().length()
                        + d.original().length()
                        + d.rewritten().length()
                        + d.match().rule().name().length();
            }
        }
        if (count == 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder(size)
                .append(r.mode() == Mode.AUDIT ? "audit: would rewrite" : r.dryRun() ? "dry run: rewrite" : "rewrite")
                .append(" namespace=")
                .append(r.namespace())
                .append(" pod=")
                .append(r.podName())
                .append(" images=")
                .append(count)
                .append(": ");
        boolean first = true;
        for (ImageDecision d : r.decisions()) {
            if (!d.isRewrite()) {
                continue;
            }
            if (!first) {
                sb.append("; ");
            }
            first = false;
            sb.append("container=")
                    .append(d.container())
                    .append(" from=")
                    .append(d.original())
                    .append(" to=")
                    .append(d.rewritten())
                    .append(" rule=")
                    .append(d.match().rule().name());
        }
        return sb.toString();
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

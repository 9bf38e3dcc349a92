package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.Mode;

import java.util.List;

/**
 * The answer to one review and what led to it, for the transport to send and for metrics and logs. Made by the named
 * answers of {@link ReviewContext}.
 *
 * @param body the serialized AdmissionReview to send with HTTP 200
 * @param context what the review said about itself
 * @param error the internal failure behind an {@link Outcome#ERROR}, else null
 */
public record AdmissionResult(
        byte[] body, Outcome outcome, ReviewContext context, List<ImageDecision> decisions, Throwable error) {

    /** The request's operation (CREATE, UPDATE, ...), "unknown" when unreadable. */
    public String operation() {
        return context.operation();
    }

    public Mode mode() {
        return context.mode();
    }

    public boolean dryRun() {
        return context.dryRun();
    }

    public String namespace() {
        return context.namespace();
    }

    public String podName() {
        return context.podName();
    }
}

package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.Mode;

import java.util.List;

/**
 * The answer to one review and what led to it, for the transport to send and for metrics and logs.
 *
 * @param body the serialized AdmissionReview to send with HTTP 200
 * @param operation the request's operation (CREATE, UPDATE, ...), "unknown" when unreadable
 * @param error the internal failure behind an {@link Outcome#ERROR}, else null
 */
public record AdmissionResult(
        byte[] body,
        Outcome outcome,
        String operation,
        Mode mode,
        boolean dryRun,
        String namespace,
        String podName,
        List<ImageDecision> decisions,
        Throwable error) {}

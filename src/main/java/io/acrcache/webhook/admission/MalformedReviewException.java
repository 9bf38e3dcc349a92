package io.acrcache.webhook.admission;

/** The body is not an {@code admission.k8s.io/v1} AdmissionReview with a request uid: a 400. */
public final class MalformedReviewException extends Exception {
    public MalformedReviewException(String message) {
        super(message, null, false, false);
    }
}

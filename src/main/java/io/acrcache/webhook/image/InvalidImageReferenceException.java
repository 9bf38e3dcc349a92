package io.acrcache.webhook.image;

/**
 * The image string is not a reference that {@code docker pull} / containerd would accept, so the webhook must leave it
 * untouched.
 *
 * <p>The message is the reason only (e.g. {@code "repository name must be lowercase"}); the offending input is
 * available from {@link #image()} so callers decide how (and whether) to log it.
 */
public final class InvalidImageReferenceException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String image;

    public InvalidImageReferenceException(String image, String reason) {
        super(reason);
        this.image = image;
    }

    /** The rejected input exactly as given; may be {@code null}. */
    public String image() {
        return image;
    }

    /**
     * Invalid images are an expected outcome of admission, not a bug: skipping the stack walk keeps rejection about as
     * cheap as acceptance.
     */
    @Override
    public Throwable fillInStackTrace() {
        return this;
    }
}

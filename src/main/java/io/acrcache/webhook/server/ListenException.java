package io.acrcache.webhook.server;

import java.net.BindException;

/**
 * A listener that could not open its port: the message names the listener, the address and what to do. Expected (a port
 * taken), so it carries no stack trace.
 */
public final class ListenException extends RuntimeException {
    public ListenException(String message) {
        super(message, null, false, false);
    }

    static ListenException of(String listener, String where, String key, String env, Throwable cause) {
        if (cause instanceof ListenException e) {
            return e;
        }
        String reason = String.valueOf(cause.getMessage());
        if (cause instanceof BindException
                || reason.toLowerCase(java.util.Locale.ROOT).contains("address already in use")) {
            return new ListenException(listener + " cannot listen on " + where + ": address already in use (another"
                    + " process holds the port: stop it, or set " + key + " / " + env + " to a free port)");
        }
        return new ListenException(listener + " cannot listen on " + where + ": " + reason);
    }
}

package io.acrcache.webhook.config;

import java.util.List;

/** A configuration that cannot be used, with every problem found (each names its field). */
public final class ConfigException extends Exception {
    private final List<String> errors;

    public ConfigException(List<String> errors) {
        super("invalid configuration:\n  - " + String.join("\n  - ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}

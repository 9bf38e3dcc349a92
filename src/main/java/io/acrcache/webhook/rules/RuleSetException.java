package io.acrcache.webhook.rules;

import java.util.List;

/** Every problem found in a rule list, each naming the rule and the field. */
public final class RuleSetException extends Exception {
    private final List<String> errors;

    public RuleSetException(List<String> errors) {
        super(String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}

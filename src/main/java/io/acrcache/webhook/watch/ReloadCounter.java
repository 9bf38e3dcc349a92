package io.acrcache.webhook.watch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The two results of a reload as one counter with a {@code result} label, both shown from the start. */
final class ReloadCounter {
    private final Counter success;
    private final Counter failure;

    ReloadCounter(MeterRegistry registry, String name, String description) {
        this.success = Counter.builder(name)
                .tag("result", "success")
                .description(description)
                .register(registry);
        this.failure = Counter.builder(name)
                .tag("result", "failure")
                .description(description)
                .register(registry);
    }

    void success() {
        success.increment();
    }

    void failure() {
        failure.increment();
    }
}

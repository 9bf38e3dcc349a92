package io.acrcache.webhook.outbound;

import io.vertx.core.Vertx;

import java.time.Duration;

/** One-shot timers; Vert.x's in production, a hand-driven one in tests (no waiting on real time). */
public interface Scheduler {
    long schedule(Duration delay, Runnable task);

    void cancel(long id);

    static Scheduler of(Vertx vertx) {
        return new Scheduler() {
            @Override
            public long schedule(Duration delay, Runnable task) {
                return vertx.setTimer(Math.max(1, delay.toMillis()), id -> task.run());
            }

            @Override
            public void cancel(long id) {
                vertx.cancelTimer(id);
            }
        };
    }
}

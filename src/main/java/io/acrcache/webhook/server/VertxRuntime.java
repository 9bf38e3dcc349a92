package io.acrcache.webhook.server;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.Set;

/** The process's meter registry (with the JVM's meters) and the Vert.x instance that reports into it. */
public final class VertxRuntime {
    private VertxRuntime() {}

    /** A Prometheus registry with the JVM, GC, thread, class-loader, processor and uptime meters bound. */
    public static PrometheusMeterRegistry meters() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    public static Vertx vertx(PrometheusMeterRegistry registry) {
        return Vertx.builder()
                .with(new VertxOptions()
                        .setMetricsOptions(new MicrometerMetricsOptions()
                                .setEnabled(true)
                                // per-request HTTP server meters cost 8-9% of the CPU under load and could not
                                // tell the two listeners apart: admission has its own acw_admission_* meters
                                .setDisabledMetricsCategories(Set.of(
                                        MetricsDomain.HTTP_SERVER.toCategory(),
                                        MetricsDomain.NET_SERVER.toCategory()))))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
    }
}

package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.config.LoadedConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /doctor} on the ops listener: the doctor's JSON report. A report is reused for {@link #TTL}, and requests
 * arriving while one is being made share it, so refreshing a page does not hammer ARM. Always 200 with the report (the
 * failures are in it); {@code ?refresh=true} skips the cached one.
 */
public final class DoctorEndpoint implements Handler<RoutingContext> {
    public static final String PATH = "/doctor";
    static final Duration TTL = Duration.ofSeconds(60);

    private final Doctor doctor;
    private final Supplier<LoadedConfig> config;
    private final String clusterId;
    private final Clock clock;
    private final Duration ttl;
    private Future<DoctorReport> last; // guarded by this
    private Future<DoctorReport> startup; // guarded by this
    private Instant lastAt = Instant.MIN; // guarded by this

    /**
     * @param config the configuration in force (the webhook's {@code ConfigHolder})
     * @param clusterId the AKS cluster (e.g. {@code env.get(DoctorCommand.CLUSTER_ENV)}), or null
     */
    public DoctorEndpoint(Doctor doctor, Supplier<LoadedConfig> config, String clusterId) {
        this(doctor, config, clusterId, Clock.systemUTC(), TTL);
    }

    DoctorEndpoint(Doctor doctor, Supplier<LoadedConfig> config, String clusterId, Clock clock, Duration ttl) {
        this.doctor = doctor;
        this.config = config;
        this.clusterId = clusterId;
        this.clock = clock;
        this.ttl = ttl;
    }

    /**
     * The running webhook's doctor: its Azure client and Entra tokens, the configuration in force, the cluster from
     * {@link DoctorCommand#CLUSTER_ENV}; and the start-up run ({@link Doctor#atStartup}), not awaited.
     */
    public static DoctorEndpoint forProcess(
            Vertx vertx,
            WebClient azureClient,
            AccessTokenSource tokens,
            Supplier<LoadedConfig> config,
            Map<String, String> env) {
        Future<DoctorReport> startup = Doctor.atStartup(vertx, azureClient, tokens, config.get(), env);
        Doctor doctor = new Doctor(vertx, azureClient, azureClient, tokens, env, Doctor.Options.DEFAULT);
        DoctorEndpoint endpoint = new DoctorEndpoint(doctor, config, env.get(DoctorCommand.CLUSTER_ENV));
        endpoint.startup = startup;
        return endpoint;
    }

    /**
     * The checks of the last report made (by {@code GET /doctor}, else the start-up run), without making one: for the
     * status page. Null when none has completed.
     */
    public synchronized List<Check> lastChecks() {
        for (Future<DoctorReport> f : new Future[] {last, startup}) {
            if (f != null && f.succeeded() && !f.result().checks().isEmpty()) {
                return f.result().checks();
            }
        }
        return null;
    }

    /** {@code GET /doctor} on the ops router. */
    public void mount(Router router) {
        router.get(PATH).handler(this);
    }

    @Override
    public void handle(RoutingContext ctx) {
        boolean refresh;
        try {
            refresh = "true".equals(ctx.request().getParam("refresh"));
        } catch (IllegalArgumentException e) { // a query that is not percent-encoded right: the caller's mistake
            ctx.response().setStatusCode(400).end("doctor: " + e.getMessage() + "\n");
            return;
        }
        report(refresh).onComplete(ar -> {
            if (ctx.response().closed()) {
                return;
            }
            if (ar.failed()) {
                ctx.response().setStatusCode(500).end("doctor: " + ar.cause() + "\n");
                return;
            }
            ctx.response()
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .putHeader("Cache-Control", "no-store")
                    .end(ar.result().json());
        });
    }

    synchronized Future<DoctorReport> report(boolean refresh) {
        Instant now = clock.instant();
        boolean fresh = last != null && (!last.isComplete() || lastAt.plus(ttl).isAfter(now));
        if (!fresh || (refresh && last.isComplete())) {
            lastAt = now;
            last = doctor.run(config.get(), clusterId);
        }
        return last;
    }
}

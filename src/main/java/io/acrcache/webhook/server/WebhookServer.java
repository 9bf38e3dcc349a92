package io.acrcache.webhook.server;

import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.PlanReviser;
import io.acrcache.webhook.config.ConfigHolder;
import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.tls.ServerTlsOptions;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The two listeners: admission over TLS (one verticle per core) and ops over plain HTTP (health, metrics and whatever
 * else is mounted on it). Knows routes and sockets, not admission logic.
 */
public final class WebhookServer {
    private static final Logger LOG = Logger.getLogger(WebhookServer.class.getName());
    public static final String MUTATE_PATH = "/mutate";
    public static final String AUDIT_PATH = "/mutate/audit";

    private final Vertx vertx;
    private final Readiness readiness;
    private final List<HttpServer> admissionServers = new CopyOnWriteArrayList<>();
    private HttpServer opsServer;
    private int admissionPort;
    private String host;
    private WarmUp.Marker warmUpMarker;
    private AdmissionObserver observer;

    private WebhookServer(Vertx vertx, Readiness readiness) {
        this.vertx = vertx;
        this.readiness = readiness;
    }

    /**
     * Starts both listeners, with the reviser between plan and answer; readiness waits for {@link #warmUp}.
     *
     * @param keyCert the TLS certificate and key for the admission listener (policy: {@link ServerTlsOptions})
     * @param instances admission verticles (one per core in production)
     * @param opsRoutes extra routes for the ops listener (the pull-failure report)
     * @param reviser revises each plan with rewrites before it is answered (the registry guard), or null
     * @param opsAccess who may read the ops routes past {@code /healthz} and {@code /readyz}; null: anyone
     */
    public static Future<WebhookServer> start(
            Vertx vertx,
            ConfigHolder config,
            PrometheusMeterRegistry registry,
            Readiness readiness,
            KeyCertOptions keyCert,
            int instances,
            Consumer<Router> opsRoutes,
            PlanReviser reviser,
            OpsAccess opsAccess) {
        WebhookServer server = new WebhookServer(vertx, readiness);
        server.host = config.get().settings().server().host();
        readiness.require(Readiness.ADMISSION_LISTENER).require(Readiness.WARM_UP);
        Settings settings = config.get().settings();
        AdmissionReviewHandler handler = new AdmissionReviewHandler(config, reviser);
        AdmissionObserver observer = new AdmissionObserver(registry);
        server.observer = observer;
        WarmUp.Marker warmUp = new WarmUp.Marker();
        HealthEndpoints health = new HealthEndpoints(readiness);
        int bodyLimit = settings.server().maxBodyBytes();
        long requestTimeoutMillis = settings.server().requestTimeoutSeconds() * 1000L;
        ConnectionLimit connectionLimit = new ConnectionLimit(settings.server().maxConnections(), registry);

        java.util.function.Function<Vertx, Handler<HttpServerRequest>> admissionRequests = v -> {
            Router router = Router.router(v);
            AdmissionRequests requests = new AdmissionRequests(
                    new AdmissionEndpoint(handler, null, observer, null),
                    new AdmissionEndpoint(handler, Mode.AUDIT, observer, null),
                    new AdmissionEndpoint(handler, null, observer, warmUp),
                    router,
                    bodyLimit,
                    requestTimeoutMillis);
            // the exact paths never reach the router; these routes take the other spellings ("/mutate/")
            for (String path : List.of(MUTATE_PATH, AUDIT_PATH, WarmUp.PATH)) {
                router.post(path).handler(requests.route(path));
            }
            router.get("/healthz").handler(health::live);
            router.get("/readyz").handler(health::ready);
            ClientErrors.install(router, AdmissionRequests.LISTENER);
            return requests;
        };

        HttpServerOptions admissionOptions = new HttpServerOptions()
                .setHost(settings.server().host())
                .setPort(
                        concretePort(settings.server().host(), settings.server().port()))
                .setMaxHeaderSize(settings.server().maxHeaderBytes())
                .setInitialSettings(new Http2Settings()
                        .setMaxHeaderListSize(settings.server().maxHeaderBytes()))
                .setIdleTimeout(settings.server().idleTimeoutSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                // no WebSockets here: without these, every HTTP/1.1 request and answer passes a WebSocket
                // extension handler that looks for an upgrade
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
        ServerTlsOptions.configure(admissionOptions, keyCert);

        Router ops = Router.router(vertx);
        ops.get("/healthz").handler(health::live);
        ops.get("/readyz").handler(health::ready);
        MetricsEndpoint metrics = new MetricsEndpoint(registry);
        if (opsAccess == null || !opsAccess.metrics()) {
            ops.get("/metrics").handler(metrics);
        }
        if (opsAccess != null) {
            // routes match in order: every route added below (the report, /rules, /doctor, the page) needs the check
            ops.route().handler(opsAccess.check());
            if (opsAccess.metrics()) {
                ops.get("/metrics").handler(metrics);
            }
        }
        if (opsRoutes != null) {
            opsRoutes.accept(ops);
        }
        ClientErrors.install(ops, "ops");
        String opsWhere = settings.ops().host() + ":" + settings.ops().port();
        Future<HttpServer> opsListening = vertx.createHttpServer(new HttpServerOptions()
                        .setHost(settings.ops().host())
                        .setPort(settings.ops().port()))
                .requestHandler(ops)
                .listen()
                .onSuccess(s -> server.opsServer = s)
                .recover(e -> Future.failedFuture(
                        ListenException.of("ops listener (HTTP)", opsWhere, "ops.port", "ACW_OPS_PORT", e)));

        // one instance first: if the port is taken, one failure (not one per instance racing to report it); the
        // others then share its socket
        String admissionWhere = settings.server().host() + ":" + admissionOptions.getPort();
        Supplier<AdmissionVerticle> verticle = () ->
                new AdmissionVerticle(admissionOptions, admissionRequests, connectionLimit, server.admissionServers);
        Future<Void> admission = vertx.deployVerticle(verticle, new DeploymentOptions())
                .recover(e -> Future.failedFuture(ListenException.of(
                        "admission listener (TLS)", admissionWhere, "server.port", "ACW_SERVER_PORT", e)))
                .compose(first -> instances <= 1
                        ? Future.succeededFuture(first)
                        : vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances - 1)))
                .map(id -> {
                    server.admissionPort = server.admissionServers.get(0).actualPort();
                    for (HttpServer s : server.admissionServers) {
                        if (s.actualPort() != server.admissionPort) {
                            throw new IllegalStateException("admission instances listen on different ports");
                        }
                    }
                    return null;
                });
        // both outcomes, so that two taken ports are named together
        return Future.join(admission, opsListening).transform(done -> {
            if (done.failed()) {
                List<String> problems = new ArrayList<>();
                for (Future<?> f : List.of(admission, opsListening)) {
                    if (f.failed()) {
                        problems.add(f.cause().getMessage());
                    }
                }
                return Future.failedFuture(new ListenException(String.join("; ", problems)));
            }
            readiness.set(Readiness.ADMISSION_LISTENER, true);
            server.warmUpMarker = warmUp;
            LOG.info("admission listener (TLS) on port " + server.admissionPort + " with " + instances
                    + " event-loop instance(s); ops listener (HTTP) on port " + server.opsPort());
            return Future.succeededFuture(server);
        });
    }

    /**
     * Sends synthetic reviews through the admission listener ({@link WarmUp}), then reports {@link Readiness#WARM_UP};
     * never fails. Called last in the start-up, so that the first real admission does not share the CPU with it.
     */
    public Future<Void> warmUp() {
        return WarmUp.run(vertx, host, admissionPort, warmUpMarker)
                .onComplete(x -> readiness.set(Readiness.WARM_UP, true));
    }

    /**
     * Starts initializing the TLS stack on another thread, to overlap with the rest of the start-up; call first thing.
     */
    public static void preloadTls() {
        WarmUp.preloadTls();
    }

    /**
     * Vert.x shares a socket between instances only for the same host and port, and gives each port-0 instance its own
     * random port: so port 0 (tests, local runs) is resolved first.
     */
    private static int concretePort(String host, int port) {
        if (port != 0) {
            return port;
        }
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host, e);
        }
    }

    public int admissionPort() {
        return admissionPort;
    }

    /**
     * Hands every answered review to {@code hook} as well (the status page's recent decisions): it runs on the event
     * loops, so it must be cheap and never block.
     */
    public void onAnswered(java.util.function.Consumer<io.acrcache.webhook.admission.AdmissionResult> hook) {
        observer.hook(hook);
    }

    public int opsPort() {
        return opsServer == null ? -1 : opsServer.actualPort();
    }

    /** New TLS handshakes use the new material; open connections keep theirs. */
    public Future<Void> updateTls(KeyCertOptions keyCert) {
        List<Future<Boolean>> updates = new ArrayList<>();
        for (HttpServer s : admissionServers) {
            updates.add(ServerTlsOptions.update(s, keyCert));
        }
        return Future.all(updates).mapEmpty();
    }

    /**
     * Graceful stop: readiness turns false at once, the listeners keep answering for {@code drain} (endpoints take time
     * to drop this Pod), then stop accepting and let in-flight requests finish within {@code grace}.
     */
    public Future<Void> shutdown(Duration drain, Duration grace) {
        readiness.startDraining();
        Promise<Void> drained = Promise.promise();
        if (drain.isZero()) {
            drained.complete();
        } else {
            vertx.setTimer(drain.toMillis(), t -> drained.complete());
        }
        return drained.future()
                .compose(v -> {
                    List<Future<Void>> closing = new ArrayList<>();
                    for (HttpServer s : admissionServers) {
                        closing.add(s.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS));
                    }
                    return Future.all(closing);
                })
                .compose(v -> opsServer == null ? Future.succeededFuture() : opsServer.close());
    }
}

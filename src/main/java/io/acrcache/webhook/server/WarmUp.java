package io.acrcache.webhook.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends synthetic reviews to the webhook's own admission port before it reports ready, over HTTPS with HTTP/1.1 and
 * HTTP/2 on fresh connections: class loading, TLS handshakes and the first compilations happen here instead of in the
 * first admissions of a rollout (which kube-apiserver gives up on after its timeout, admitting the Pod unrewritten).
 *
 * <p>The reviews go through the real listener, TLS, request handler and admission handler, on a path of their own
 * ({@link #PATH}) and with a header holding a random token of this process, accepted only from this host: they are
 * neither counted in metrics nor logged. Without the token, or from elsewhere, that path answers 404. A failed warm-up
 * is logged and readiness goes on: it makes the first answers fast, it is not a condition for answering.
 */
final class WarmUp {
    private static final Logger LOG = Logger.getLogger(WarmUp.class.getName());
    /** The warm-up's own path, with the handling of {@code /mutate}: admission requests pay nothing for it. */
    static final String PATH = WebhookServer.MUTATE_PATH + "/warm-up";

    static final String HEADER = "acw-warm-up";
    private static final CharSequence HEADER_NAME = io.vertx.core.http.HttpHeaders.createOptimized(HEADER);

    /** Rounds of fresh connections: at least, at most, and reviews per connection and round. */
    static final int MIN_ROUNDS = 3;

    static final int MAX_ROUNDS = 6;
    static final int REVIEWS_PER_CONNECTION = 8;
    /** A round this fast (two handshakes, 16 reviews) means the path is warm: no more rounds. */
    static final Duration WARM_ROUND = Duration.ofMillis(50);
    /** No round starts after this; a busy node gets ready with what was warmed by then. */
    static final Duration BUDGET = Duration.ofMillis(650);
    /** Per review, from asking for a connection to the answer: the first handshake of a cold JVM is slow. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    /**
     * The JDK's and Netty's TLS classes that the first connection initializes, whatever its handshake: Netty's JDK
     * server context builds a PKCS#12 key store in its static initializer (PBKDF2 with 10,000 iterations), the cipher
     * suite defaults initialize an SSLContext (loading the JDK trust store). Hundreds of milliseconds, single-threaded.
     */
    private static final List<String> TLS_CLASSES = List.of(
            "io.netty.handler.ssl.JdkSslServerContext",
            "io.netty.handler.ssl.JdkSslClientContext",
            "io.vertx.core.spi.tls.DefaultJDKCipherSuite");

    private WarmUp() {}

    /**
     * Initializes {@link #TLS_CLASSES} on a background thread while the caller goes on starting the rest: start-up is
     * mostly one thread, so this runs on an otherwise idle core, and a listener that needs a class before it is done
     * waits for that initialization instead of doing it again. Only a head start: failures are ignored.
     */
    static void preloadTls() {
        ClassLoader loader = WarmUp.class.getClassLoader();
        Thread t = new Thread(
                () -> {
                    for (String name : TLS_CLASSES) {
                        try {
                            Class.forName(name, true, loader);
                        } catch (Throwable e) { // LinkageError too: the real use will report it
                            LOG.log(Level.FINE, "preloading " + name, e);
                        }
                    }
                },
                "tls-preload");
        t.setDaemon(true);
        t.start();
    }

    /** Tells the warm-up's own requests from others. */
    static final class Marker {
        private final byte[] token;

        Marker() {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            this.token = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(random)
                    .getBytes(StandardCharsets.US_ASCII);
        }

        String token() {
            return new String(token, StandardCharsets.US_ASCII);
        }

        /** The header carries this process's token and the request comes from this host. */
        boolean isWarmUp(HttpServerRequest request) {
            String value = request.getHeader(HEADER_NAME);
            return value != null
                    && MessageDigest.isEqual(token, value.getBytes(StandardCharsets.US_ASCII))
                    && fromThisHost(request.remoteAddress(), request.localAddress());
        }

        private static boolean fromThisHost(SocketAddress remote, SocketAddress local) {
            if (remote == null || remote.hostAddress() == null) {
                return false;
            }
            if (local != null && remote.hostAddress().equals(local.hostAddress())) {
                return true;
            }
            try {
                return InetAddress.getByName(remote.hostAddress()).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }

    /**
     * Warms the listener at {@code host:port}; completes (never fails) when done, on failure, or after the budget.
     *
     * @param host the admission listener's address; a wildcard is reached on loopback
     */
    static Future<Void> run(Vertx vertx, String host, int port, Marker marker) {
        long start = System.nanoTime();
        Clients clients = new Clients(vertx, connectHost(host), port, marker);
        Promise<Void> done = Promise.promise();
        clients.round(0, 0, start + BUDGET.toNanos()).eventually(clients::close).onComplete(ar -> {
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (ar.succeeded()) {
                LOG.info("admission path warmed up in " + millis + " ms (" + ar.result()
                        + " synthetic reviews over HTTP/1.1 and HTTP/2, not counted in metrics)");
            } else {
                LOG.log(
                        Level.WARNING,
                        "admission warm-up failed after " + millis + " ms; ready anyway, the first admissions"
                                + " may be slow: " + ar.cause(),
                        ar.cause());
            }
            done.complete();
        });
        return done.future();
    }

    private static String connectHost(String host) {
        if (host == null || host.isEmpty() || host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        if (host.equals("::") || host.equals("[::]") || host.equals("0:0:0:0:0:0:0:0")) {
            return "::1";
        }
        return host;
    }

    /**
     * One client per protocol for the whole warm-up (a client's own TLS set-up is not the server's to warm), each round
     * on fresh connections (the server's handshake and connection set-up are).
     */
    private static final class Clients {
        private final HttpClientAgent h1;
        private final HttpClientAgent h2;
        private final HttpConnectOptions connect;
        private final RequestOptions request;

        Clients(Vertx vertx, String host, int port, Marker marker) {
            this.h1 = vertx.createHttpClient(options(HttpVersion.HTTP_1_1));
            this.h2 = vertx.createHttpClient(options(HttpVersion.HTTP_2));
            this.connect = new HttpConnectOptions()
                    .setHost(host)
                    .setPort(port)
                    .setSsl(true)
                    .setConnectTimeout(REQUEST_TIMEOUT.toMillis());
            this.request = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost(host)
                    .setPort(port)
                    .setURI(PATH + "?timeout=10s")
                    .setTimeout(REQUEST_TIMEOUT.toMillis())
                    .putHeader("content-type", "application/json")
                    .putHeader(HEADER, marker.token());
        }

        // trusts any certificate: the peer is this process on its own port, and the reviews are synthetic
        private static HttpClientOptions options(HttpVersion version) {
            return new HttpClientOptions()
                    .setSsl(true)
                    .setTrustAll(true)
                    .setVerifyHost(false)
                    .setUseAlpn(true)
                    .setProtocolVersion(version);
        }

        /**
         * Rounds of a fresh HTTP/1.1 connection with reviews in sequence, then a fresh HTTP/2 one with them as
         * concurrent streams: at least {@link #MIN_ROUNDS}, then until a round takes less than {@link #WARM_ROUND},
         * {@link #MAX_ROUNDS} are done, or the budget is spent.
         */
        Future<Integer> round(int done, int sent, long deadline) {
            long start = System.nanoTime();
            return h1.connect(connect)
                    .compose(c -> sequential(c).eventually(c::close))
                    .compose(n -> h2.connect(connect)
                            .compose(c -> concurrent(c).eventually(c::close))
                            .map(m -> n + m))
                    .compose(n -> {
                        long end = System.nanoTime();
                        LOG.fine("warm-up round " + (done + 1) + ": " + n + " reviews in " + (end - start) / 1_000_000
                                + " ms");
                        boolean warm = done + 1 >= MIN_ROUNDS && end - start < WARM_ROUND.toNanos();
                        if (warm || done + 1 >= MAX_ROUNDS || end > deadline) {
                            return Future.succeededFuture(sent + n);
                        }
                        return round(done + 1, sent + n, deadline);
                    });
        }

        private Future<Integer> sequential(HttpClientConnection c) {
            Future<Void> chain = Future.succeededFuture();
            for (int i = 0; i < REVIEWS_PER_CONNECTION; i++) {
                int n = i;
                chain = chain.compose(v -> send(c, request, n));
            }
            return chain.map(REVIEWS_PER_CONNECTION);
        }

        private Future<Integer> concurrent(HttpClientConnection c) {
            List<Future<Void>> streams = new ArrayList<>();
            for (int i = 0; i < REVIEWS_PER_CONNECTION; i++) {
                streams.add(send(c, request, i));
            }
            return Future.all(streams).map(REVIEWS_PER_CONNECTION);
        }

        Future<Void> close() {
            return Future.all(h1.close(), h2.close()).mapEmpty();
        }
    }

    private static Future<Void> send(HttpClientConnection client, RequestOptions request, int n) {
        return client.request(request)
                .compose(req -> req.send(Buffer.buffer(review(n))))
                .compose(resp -> check(resp).compose(v -> resp.body()))
                .compose(body -> body.toString(StandardCharsets.UTF_8).contains("\"allowed\":true")
                        ? Future.succeededFuture()
                        : Future.failedFuture("unexpected answer to a synthetic review: " + body));
    }

    private static Future<Void> check(HttpClientResponse resp) {
        return resp.statusCode() == 200
                ? Future.succeededFuture()
                : Future.failedFuture("synthetic review answered with HTTP " + resp.statusCode());
    }

    /**
     * A Pod creation as a ReplicaSet controller sends it, with Docker Hub images in an init container and two
     * containers, one image from elsewhere; {@code n} varies the uid and the tags.
     */
    static String review(int n) {
        return """
                {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{\
                "uid":"acw-warm-up-%1$d","kind":{"group":"","version":"v1","kind":"Pod"},\
                "resource":{"group":"","version":"v1","resource":"pods"},\
                "requestKind":{"group":"","version":"v1","kind":"Pod"},\
                "requestResource":{"group":"","version":"v1","resource":"pods"},\
                "namespace":"acw-warm-up","operation":"CREATE",\
                "userInfo":{"username":"system:serviceaccount:kube-system:replicaset-controller",\
                "groups":["system:serviceaccounts","system:authenticated"]},\
                "object":{"kind":"Pod","apiVersion":"v1","metadata":{"generateName":"warm-up-%1$d-",\
                "namespace":"acw-warm-up","labels":{"app":"warm-up","pod-template-hash":"5d8f7c%1$d"},\
                "annotations":{"kubectl.kubernetes.io/restartedAt":"2026-01-01T00:00:00Z"},\
                "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"warm-up-5d8f7c",\
                "uid":"00000000-0000-0000-0000-00000000000%2$d","controller":true,"blockOwnerDeletion":true}]},\
                "spec":{"initContainers":[{"name":"init","image":"busybox:1.%1$d","command":["sh","-c","true"],\
                "resources":{},"imagePullPolicy":"IfNotPresent"}],\
                "containers":[{"name":"app","image":"bitnami/nginx:1.27.%1$d",\
                "ports":[{"containerPort":8080,"protocol":"TCP"}],\
                "env":[{"name":"A","value":"1"},{"name":"B","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],\
                "resources":{"limits":{"memory":"128Mi"},"requests":{"cpu":"10m","memory":"64Mi"}},\
                "volumeMounts":[{"name":"kube-api-access","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount",\
                "readOnly":true}],"imagePullPolicy":"IfNotPresent"},\
                {"name":"sidecar","image":"docker.io/library/redis:7.4.%1$d-alpine@sha256:\
                0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","resources":{}},\
                {"name":"other","image":"ghcr.io/acw/warm-up:%1$d","resources":{}}],\
                "volumes":[{"name":"kube-api-access","projected":{"sources":[{"serviceAccountToken":\
                {"expirationSeconds":3607,"path":"token"}}]}}],"restartPolicy":"Always",\
                "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute",\
                "tolerationSeconds":300}]}},"oldObject":null,"dryRun":false,"options":{"kind":"CreateOptions",\
                "apiVersion":"meta.k8s.io/v1"}}}""".formatted(n, n % 10);
    }
}

package io.acrcache.bench;

import io.acrcache.webhook.tls.ServerTlsOptions;
import io.acrcache.webhook.tls.TlsMaterial;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.KeyCertOptions;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The floor of this stack: a bare Vert.x 5 HTTPS server with the webhook's TLS policy ({@link ServerTlsOptions}), the
 * same number of event-loop instances, that per request reads the body, parses it with Jackson 3 into a tree (with
 * {@code STRICT_DUPLICATE_DETECTION} when the last argument is {@code strict}, as the webhook's mapper had up to commit
 * 1007724) and answers a canned AdmissionReview of exactly the webhook's answer size. No router, no metrics, no
 * logging, no rewriting.
 *
 * <p>Run as a child JVM by the load benchmark: {@code BareServer PORT OPS_PORT CERT KEY ANSWER_FILE INSTANCES
 * [strict]}. Plain-HTTP {@code GET /readyz} on OPS_PORT answers 200 once the TLS listener is up; {@code GET /allocated}
 * the bytes allocated by its live threads so far.
 */
public final class BareServer {
    private static final ObjectMapper PLAIN = JsonMapper.builder().build();
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private BareServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6 && args.length != 7) {
            System.err.println("usage: BareServer PORT OPS_PORT CERT KEY ANSWER_FILE INSTANCES [strict]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        int opsPort = Integer.parseInt(args[1]);
        TlsMaterial tls = TlsMaterial.load(Path.of(args[2]), Path.of(args[3]));
        byte[] answer = Files.readAllBytes(Path.of(args[4]));
        int instances = Integer.parseInt(args[5]);
        ObjectMapper json = args.length == 7 && args[6].equals("strict") ? STRICT : PLAIN;
        KeyCertOptions keyCert = ServerTlsOptions.keyCert(tls);
        Vertx vertx = Vertx.vertx();
        HttpServerOptions options = ServerTlsOptions.configure(
                new HttpServerOptions().setHost("127.0.0.1").setPort(port), keyCert);
        vertx.deployVerticle(() -> new Listener(options, answer, json), new DeploymentOptions().setInstances(instances))
                .compose(id -> vertx.createHttpServer(
                                new HttpServerOptions().setHost("127.0.0.1").setPort(opsPort))
                        .requestHandler(req -> {
                            if (req.path().equals("/allocated")) {
                                req.response().end(Long.toString(allocatedBytes()));
                            } else {
                                req.response().end("{\"status\":\"ready\"}");
                            }
                        })
                        .listen())
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                })
                .onSuccess(s -> System.err.println(
                        "bare server: TLS on " + port + " (" + instances + " instances), ready on " + opsPort));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await(), "shutdown"));
    }

    /** Bytes allocated so far by the live threads (the event loops live as long as the server). */
    static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(0, a);
        }
        return sum;
    }

    private static final class Listener extends VerticleBase {
        private final HttpServerOptions options;
        private final byte[] answer;
        private final ObjectMapper json;

        Listener(HttpServerOptions options, byte[] answer, ObjectMapper json) {
            this.options = options;
            this.answer = answer;
            this.json = json;
        }

        @Override
        public Future<?> start() {
            return vertx.createHttpServer(options).requestHandler(this::handle).listen();
        }

        private void handle(HttpServerRequest req) {
            req.body().onComplete(ar -> {
                if (ar.failed()) {
                    req.response().setStatusCode(400).end();
                    return;
                }
                JsonNode review;
                try {
                    review = json.readTree(ar.result().getBytes());
                } catch (RuntimeException e) {
                    req.response().setStatusCode(400).end();
                    return;
                }
                if (!review.path("request").path("uid").isString()) {
                    req.response().setStatusCode(400).end();
                    return;
                }
                req.response().putHeader("content-type", "application/json").end(Buffer.buffer(answer));
            });
        }
    }
}

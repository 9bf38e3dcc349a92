package io.acrcache.webhook.azure;

import io.acrcache.webhook.tls.CertificateBundle;
import io.acrcache.webhook.tls.CertificateGenerator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A test CA and HTTPS servers on free loopback ports that present a certificate for localhost/127.0.0.1 from it. */
public final class FakeTls {
    static final CertificateBundle CA =
            CertificateGenerator.generate("localhost", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));

    private FakeTls() {}

    static HttpServer https(Vertx vertx, Handler<HttpServerRequest> handler) {
        HttpServerOptions options = new HttpServerOptions()
                .setSsl(true)
                .setHost("127.0.0.1")
                .setPort(0)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(CA.certificatePem()))
                        .setKeyValue(Buffer.buffer(CA.keyPem())));
        return await(vertx.createHttpServer(options).requestHandler(handler).listen());
    }

    public static PemTrustOptions trust() {
        return new PemTrustOptions().addCertValue(Buffer.buffer(CA.caCertificatePem()));
    }

    /** The production client's options, trusting the test CA explicitly (the JDK trust store path has its own test). */
    static WebClient client(Vertx vertx, AzureHttp.Timeouts timeouts) {
        WebClientOptions options = AzureHttp.options(timeouts).setTrustOptions(trust());
        return WebClient.create(vertx, options);
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The failure of a future that must fail. */
    static Throwable failure(Future<?> future) {
        try {
            future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("expected a failure, got success");
    }
}

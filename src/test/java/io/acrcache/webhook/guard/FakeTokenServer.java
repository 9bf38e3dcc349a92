package io.acrcache.webhook.guard;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ACR's token endpoints ({@code /oauth2/exchange}, {@code /oauth2/token}) on their own host, signing access tokens the
 * way distribution's {@code auth.token} verifies them: RS256 with an {@code x5c} chain rooted in the registry's
 * {@code rootcertbundle}, {@code iss}, {@code aud} = service, and an {@code access} claim per repository.
 */
final class FakeTokenServer implements AutoCloseable {
    static final String ISSUER = "acr-cache-webhook-guard-test";

    final HttpServer server;
    final String realm;
    final AtomicInteger exchanges = new AtomicInteger();
    final List<String> scopes = new CopyOnWriteArrayList<>();
    private final KeyPair keys;
    private final X509Certificate cert;

    FakeTokenServer(Vertx vertx) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        keys = gen.generateKeyPair();
        X500Name name = new X500Name("CN=guard test token issuer");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.valueOf(now.toEpochMilli()),
                        Date.from(now.minus(Duration.ofHours(1))),
                        Date.from(now.plus(Duration.ofDays(1))),
                        name,
                        keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
        cert = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));

        Router router = Router.router(vertx);
        router.post("/oauth2/*").handler(BodyHandler.create());
        router.post("/oauth2/exchange").handler(ctx -> {
            exchanges.incrementAndGet();
            var form = ctx.request().formAttributes();
            if (!"access_token".equals(form.get("grant_type")) || form.get("access_token") == null) {
                ctx.response().setStatusCode(401).end();
                return;
            }
            ctx.json(new JsonObject()
                    .put(
                            "refresh_token",
                            FakeAcr.jwt(new JsonObject()
                                    .put(
                                            "exp",
                                            Instant.now()
                                                    .plus(Duration.ofHours(3))
                                                    .getEpochSecond())
                                    .put("service", form.get("service")))));
        });
        router.post("/oauth2/token").handler(ctx -> {
            var form = ctx.request().formAttributes();
            String scope = form.get("scope");
            scopes.add(scope);
            if (!"refresh_token".equals(form.get("grant_type"))
                    || form.get("refresh_token") == null
                    || scope == null
                    || !scope.startsWith("repository:")) {
                ctx.response().setStatusCode(401).end();
                return;
            }
            String[] parts = scope.split(":");
            try {
                ctx.json(new JsonObject().put("access_token", sign(form.get("service"), parts[1], parts[2])));
            } catch (Exception e) {
                ctx.fail(e);
            }
        });
        server = vertx.createHttpServer()
                .requestHandler(router)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        realm = "http://127.0.0.1:" + server.actualPort() + "/oauth2/token";
    }

    /** The registry's {@code auth.token} section. */
    String registryAuthConfig(String service, java.nio.file.Path rootBundle) throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        java.nio.file.Files.writeString(rootBundle, pem);
        return "auth:\n  token:\n    realm: " + realm + "\n    service: " + service + "\n    issuer: " + ISSUER
                + "\n    rootcertbundle: " + rootBundle + "\n";
    }

    private String sign(String service, String repository, String actions) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        JsonObject header = new JsonObject()
                .put("typ", "JWT")
                .put("alg", "RS256")
                .put("x5c", new JsonArray().add(Base64.getEncoder().encodeToString(cert.getEncoded())));
        long now = Instant.now().getEpochSecond();
        JsonObject claims = new JsonObject()
                .put("iss", ISSUER)
                .put("sub", "guard")
                .put("aud", service)
                .put("exp", now + 300)
                .put("nbf", now - 10)
                .put("iat", now)
                .put("jti", "t" + now + scopes.size())
                .put(
                        "access",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("type", "repository")
                                        .put("name", repository)
                                        .put("actions", new JsonArray().add(actions))));
        String input = b64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(keys.getPrivate());
        sig.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64.encodeToString(sig.sign());
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}

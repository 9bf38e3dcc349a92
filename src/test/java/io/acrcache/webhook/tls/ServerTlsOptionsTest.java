package io.acrcache.webhook.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real TLS on an ephemeral port of 127.0.0.1, clients from the JDK. */
@ExtendWith(VertxExtension.class)
class ServerTlsOptionsTest {

    private static CertificateBundle bundle;
    private static SSLContext trustsCa;

    @TempDir
    Path dir;

    @BeforeAll
    static void generate() throws Exception {
        bundle = CertificateGenerator.forService("acr-cache-webhook", "default", Duration.ofDays(1));
        trustsCa = sslContextTrusting(bundle.caCertificate());
    }

    // ------------------------------------------------------------------------------------------ options

    @Test
    void optionsCarryProtocolsCiphersAndAlpn() {
        ServerSSLOptions ssl = ServerTlsOptions.sslOptions(ServerTlsOptions.keyCert(TlsMaterial.of(bundle)));
        assertEquals(Set.of("TLSv1.2", "TLSv1.3"), ssl.getEnabledSecureTransportProtocols());
        assertEquals(Set.copyOf(ServerTlsOptions.CIPHER_SUITES), ssl.getEnabledCipherSuites());
        assertTrue(ssl.isUseAlpn());
        assertEquals(List.of("h2", "http/1.1"), ssl.getApplicationLayerProtocols());

        HttpServerOptions http = new HttpServerOptions().addEnabledCipherSuite("TLS_RSA_WITH_AES_128_CBC_SHA");
        ServerTlsOptions.configure(http, keyCertFiles(Path.of("tls.crt"), Path.of("tls.key")));
        assertTrue(http.isSsl());
        assertTrue(http.isUseAlpn());
        assertEquals(Set.of("TLSv1.2", "TLSv1.3"), http.getEnabledSecureTransportProtocols());
        assertEquals(
                Set.copyOf(ServerTlsOptions.CIPHER_SUITES), http.getEnabledCipherSuites(), "replaces, not appends");
        assertEquals(ServerTlsOptions.ALPN_VERSIONS, http.getAlpnVersions());
    }

    @Test
    void everyCipherSuiteIsSupportedByTheJdk() throws Exception {
        Set<String> supported =
                Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        for (String suite : ServerTlsOptions.CIPHER_SUITES) {
            assertTrue(supported.contains(suite), suite);
        }
    }

    // ------------------------------------------------------------------------------------------ handshakes

    @Test
    void clientTrustingOnlyTheCaGetsAnswersOverHttp2AndHttp11(Vertx vertx) throws Exception {
        int port =
                start(vertx, ServerTlsOptions.keyCert(TlsMaterial.of(bundle))).actualPort();

        HttpResponse<String> h2 = get(client(trustsCa, HttpClient.Version.HTTP_2), "localhost", port);
        assertEquals(200, h2.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, h2.version(), "ALPN negotiated h2");
        assertEquals("ok HTTP_2", h2.body());
        assertEquals(bundle.certificate().getSerialNumber(), peerSerial(h2));
        assertEquals("TLSv1.3", h2.sslSession().orElseThrow().getProtocol());

        HttpResponse<String> h1 = get(client(trustsCa, HttpClient.Version.HTTP_1_1), "localhost", port);
        assertEquals(200, h1.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, h1.version());
        assertEquals("ok HTTP_1_1", h1.body());
    }

    @Test
    void alpnPrefersH2(Vertx vertx) throws Exception {
        int port =
                start(vertx, ServerTlsOptions.keyCert(TlsMaterial.of(bundle))).actualPort();
        try (SSLSocket socket = socket(trustsCa, port, null, null, List.of("http/1.1", "h2"))) {
            socket.startHandshake();
            assertEquals("h2", socket.getApplicationProtocol());
        }
        try (SSLSocket socket = socket(trustsCa, port, null, null, List.of("http/1.1"))) {
            socket.startHandshake();
            assertEquals("http/1.1", socket.getApplicationProtocol());
        }
    }

    @Test
    void clientTrustingNothingFailsTheHandshake(Vertx vertx) throws Exception {
        int port =
                start(vertx, ServerTlsOptions.keyCert(TlsMaterial.of(bundle))).actualPort();
        SSLContext trustsNothing = sslContextTrusting();
        assertThrows(
                SSLHandshakeException.class,
                () -> get(client(trustsNothing, HttpClient.Version.HTTP_1_1), "localhost", port));
        // nor does the JDK's default trust store know our CA
        assertThrows(
                SSLHandshakeException.class,
                () -> get(client(SSLContext.getDefault(), HttpClient.Version.HTTP_1_1), "localhost", port));
    }

    @Test
    void hostnameIsVerified(Vertx vertx) throws Exception {
        CertificateBundle elsewhere = CertificateGenerator.generate(
                "elsewhere.example", List.of("elsewhere.example"), List.of(), Duration.ofDays(1));
        int port = start(vertx, ServerTlsOptions.keyCert(TlsMaterial.of(elsewhere)))
                .actualPort();
        SSLContext trustsOtherCa = sslContextTrusting(elsewhere.caCertificate());
        SSLHandshakeException e = assertThrows(
                SSLHandshakeException.class,
                () -> get(client(trustsOtherCa, HttpClient.Version.HTTP_1_1), "localhost", port));
        assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("localhost"), e.getMessage());
    }

    @Test
    void tls11IsRefusedAndTls12Accepted(Vertx vertx) throws Exception {
        int port =
                start(vertx, ServerTlsOptions.keyCert(TlsMaterial.of(bundle))).actualPort();
        // The JDK itself may disable TLSv1.1 (jdk.tls.disabledAlgorithms): any failure is a refusal here.
        assertThrows(Exception.class, () -> {
            try (SSLSocket socket = socket(trustsCa, port, List.of("TLSv1.1"), null, null)) {
                socket.startHandshake();
            }
        });
        try (SSLSocket socket = socket(trustsCa, port, List.of("TLSv1.2"), null, null)) {
            socket.startHandshake();
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
            assertTrue(
                    ServerTlsOptions.CIPHER_SUITES.contains(socket.getSession().getCipherSuite()),
                    socket.getSession().getCipherSuite());
            assertEquals("ok HTTP_1_1", http11Get(socket));
        }
    }

    @Test
    void cbcCipherSuitesAreRefused(Vertx vertx) throws Exception {
        int port =
                start(vertx, ServerTlsOptions.keyCert(TlsMaterial.of(bundle))).actualPort();
        assertThrows(SSLHandshakeException.class, () -> {
            try (SSLSocket socket = socket(
                    trustsCa,
                    port,
                    List.of("TLSv1.2"),
                    List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
                    null)) {
                socket.startHandshake();
            }
        });
    }

    @Test
    void servesFromPemFiles(Vertx vertx) throws Exception {
        CertificateFiles.Written files = CertificateFiles.write(bundle, dir);
        int port = start(vertx, keyCertFiles(files.certificate(), files.key())).actualPort();
        HttpResponse<String> response = get(client(trustsCa, HttpClient.Version.HTTP_2), "localhost", port);
        assertEquals(200, response.statusCode());
        assertEquals(bundle.certificate().getSerialNumber(), peerSerial(response));
    }

    @Test
    void vertxReadsOpensslEcPrivateKeyFiles(Vertx vertx) throws Exception {
        Path cert = Files.writeString(dir.resolve("tls.crt"), bundle.certificatePem());
        Path key = Files.writeString(dir.resolve("tls.key"), TestPem.sec1(bundle.key(), bundle.certificate(), true));
        int port = start(vertx, keyCertFiles(cert, key)).actualPort();
        assertEquals(bundle.certificate().getSerialNumber(), newConnectionSerial(port));

        // also with the EC PARAMETERS block `openssl ecparam -genkey` puts in front
        Path withParams = Files.writeString(
                dir.resolve("p.key"),
                TestPem.EC_PARAMETERS_P256 + TestPem.sec1(bundle.key(), bundle.certificate(), true));
        int port2 = start(vertx, keyCertFiles(cert, withParams)).actualPort();
        assertEquals(bundle.certificate().getSerialNumber(), newConnectionSerial(port2));
    }

    // ------------------------------------------------------------------------------------------ hot swap

    @Test
    void updateSslOptionsServesTheNewCertificateToNewConnectionsOnly(Vertx vertx) throws Exception {
        CertificateFiles.Written files = CertificateFiles.write(bundle, dir);
        KeyCertOptions fromFiles = keyCertFiles(files.certificate(), files.key());
        HttpServer server = start(vertx, fromFiles);
        int port = server.actualPort();
        BigInteger oldSerial = bundle.certificate().getSerialNumber();

        try (SSLSocket open = socket(trustsCa, port, null, null, List.of("http/1.1"))) {
            assertEquals("ok HTTP_1_1", http11Get(open));
            assertEquals(oldSerial, serial(open));

            // Rotate: a new leaf from the same CA, written over the same files.
            CertificateBundle rotated = CertificateGenerator.issue(
                    bundle.caCertificate(),
                    bundle.caKey(),
                    "acr-cache-webhook.default.svc",
                    CertificateGenerator.serviceDnsNames("acr-cache-webhook", "default"),
                    List.of("127.0.0.1"),
                    Duration.ofHours(2));
            BigInteger newSerial = rotated.certificate().getSerialNumber();
            assertNotEquals(oldSerial, newSerial);
            CertificateFiles.write(rotated, dir);

            // Vert.x fact: without force, options equal to the current ones (same paths) are not re-read.
            boolean updatedWithoutForce = await(server.updateSSLOptions(ServerTlsOptions.sslOptions(fromFiles)));
            assertFalse(updatedWithoutForce);
            assertEquals(oldSerial, newConnectionSerial(port));

            assertTrue(await(ServerTlsOptions.update(server, fromFiles)));
            assertEquals(newSerial, newConnectionSerial(port));

            HttpResponse<String> h2 = get(client(trustsCa, HttpClient.Version.HTTP_2), "localhost", port);
            assertEquals(HttpClient.Version.HTTP_2, h2.version(), "ALPN still on after the update");
            assertEquals(newSerial, peerSerial(h2));

            // the connection opened before the update keeps working, with the old certificate
            assertEquals("ok HTTP_1_1", http11Get(open));
            assertEquals(oldSerial, serial(open));
        }
    }

    @Test
    void failedUpdateKeepsTheCurrentCertificate(Vertx vertx) throws Exception {
        HttpServer server = start(vertx, ServerTlsOptions.keyCert(TlsMaterial.of(bundle)));
        Path cert = Files.writeString(dir.resolve("tls.crt"), bundle.certificatePem());
        Path brokenKey = Files.writeString(
                dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        Future<Boolean> update = ServerTlsOptions.update(server, keyCertFiles(cert, brokenKey));
        assertThrows(Exception.class, () -> await(update));
        assertEquals(bundle.certificate().getSerialNumber(), newConnectionSerial(server.actualPort()));
    }

    @Test
    void updateBeforeListenFails(Vertx vertx) {
        HttpServer server = vertx.createHttpServer(httpServerOptions(ServerTlsOptions.keyCert(TlsMaterial.of(bundle))));
        assertThrows(
                Exception.class,
                () -> await(ServerTlsOptions.update(server, ServerTlsOptions.keyCert(TlsMaterial.of(bundle)))));
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static HttpServer start(Vertx vertx, KeyCertOptions keyCert) throws Exception {
        HttpServer server = vertx.createHttpServer(httpServerOptions(keyCert));
        server.requestHandler(request ->
                request.response().putHeader("content-type", "text/plain").end("ok " + request.version()));
        return await(server.listen(0, "127.0.0.1"));
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.await(20, TimeUnit.SECONDS);
    }

    /** Key and certificate read by Vert.x from PEM files, re-read on every forced update. */
    private static PemKeyCertOptions keyCertFiles(Path certFile, Path keyFile) {
        return new PemKeyCertOptions()
                .setCertPath(certFile.toAbsolutePath().toString())
                .setKeyPath(keyFile.toAbsolutePath().toString());
    }

    private static HttpServerOptions httpServerOptions(KeyCertOptions keyCert) {
        return ServerTlsOptions.configure(new HttpServerOptions(), keyCert);
    }

    private static SSLContext sslContextTrusting(X509Certificate... certificates) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < certificates.length; i++) {
            store.setCertificateEntry("ca-" + i, certificates[i]);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** A fresh client, so each call opens its own connection. Hostname verification is on (JDK default). */
    private static HttpClient client(SSLContext context, HttpClient.Version version) {
        return HttpClient.newBuilder()
                .sslContext(context)
                .version(version)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static HttpResponse<String> get(HttpClient client, String host, int port) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + host + ":" + port + "/"))
                .timeout(Duration.ofSeconds(15))
                .GET()
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static BigInteger peerSerial(HttpResponse<?> response) throws Exception {
        return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    private static BigInteger serial(SSLSocket socket) throws Exception {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    private static BigInteger newConnectionSerial(int port) throws Exception {
        try (SSLSocket socket = socket(trustsCa, port, null, null, null)) {
            socket.startHandshake();
            return serial(socket);
        }
    }

    /** A socket to 127.0.0.1 named "localhost", with hostname verification; null lists keep JDK defaults. */
    private static SSLSocket socket(
            SSLContext context, int port, List<String> protocols, List<String> ciphers, List<String> alpn)
            throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
        socket.setSoTimeout(15_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (protocols != null) {
            parameters.setProtocols(protocols.toArray(String[]::new));
        }
        if (ciphers != null) {
            parameters.setCipherSuites(ciphers.toArray(String[]::new));
        }
        if (alpn != null) {
            parameters.setApplicationProtocols(alpn.toArray(String[]::new));
        }
        socket.setSSLParameters(parameters);
        return socket;
    }

    /** One keep-alive HTTP/1.1 GET on an open TLS socket; returns the body. */
    private static String http11Get(SSLSocket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed while reading headers: " + head);
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        if (!headers.startsWith("HTTP/1.1 200")) {
            throw new IOException("unexpected response: " + headers);
        }
        int length = headers.lines()
                .filter(line -> line.toLowerCase().startsWith("content-length:"))
                .map(line ->
                        Integer.parseInt(line.substring(line.indexOf(':') + 1).trim()))
                .findFirst()
                .orElseThrow(() -> new IOException("no content-length: " + headers));
        return new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }
}

package io.acrcache.webhook.tls;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Server-side TLS configuration of the webhook for Vert.x 5.
 *
 * <ul>
 *   <li>Protocols: exactly TLSv1.3 and TLSv1.2.
 *   <li>Cipher suites ({@link #CIPHER_SUITES}): the three TLS 1.3 suites, and for TLS 1.2 only ECDHE key exchange with
 *       AEAD ciphers (AES-GCM, ChaCha20-Poly1305), for ECDSA and RSA certificates (the latter so an operator may mount
 *       an RSA certificate, e.g. from cert-manager). Names are the IANA/JSSE names understood by the default JDK SSL
 *       engine.
 *   <li>ALPN: on, offering {@code h2} then {@code http/1.1}.
 * </ul>
 *
 * <p>Use {@link #configure} on the options the server is created with and {@link #update(HttpServer, KeyCertOptions)}
 * to swap certificates on a listening server; new connections use the new certificate, established connections are not
 * affected.
 */
public final class ServerTlsOptions {

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public static final List<String> CIPHER_SUITES = List.of(
            // TLS 1.3
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            // TLS 1.2, ECDSA certificates
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            // TLS 1.2, RSA certificates
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    public static final List<HttpVersion> ALPN_VERSIONS = List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1);
    /** {@link #ALPN_VERSIONS} by their ALPN names ({@code h2}, {@code http/1.1}). */
    public static final List<String> ALPN_PROTOCOLS =
            ALPN_VERSIONS.stream().map(HttpVersion::alpnName).toList();

    private ServerTlsOptions() {}

    /**
     * Key and certificate already loaded and checked (they match): handed to the TLS engine as they are, without the
     * PKCS#12 round trip (and its PBKDF2 cost) that PEM options go through.
     */
    public static KeyCertOptions keyCert(TlsMaterial material) {
        return KeyCertOptions.wrap(new MaterialKeyManager(material));
    }

    /**
     * The complete server TLS settings (key/cert, protocols, ciphers, ALPN) as a {@link ServerSSLOptions}, the type
     * {@link HttpServer#updateSSLOptions(ServerSSLOptions, boolean)} takes.
     */
    public static ServerSSLOptions sslOptions(KeyCertOptions keyCert) {
        Objects.requireNonNull(keyCert, "keyCert");
        ServerSSLOptions ssl = new ServerSSLOptions()
                .setKeyCertOptions(keyCert)
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOLS))
                .setUseAlpn(true)
                .setApplicationLayerProtocols(ALPN_PROTOCOLS);
        CIPHER_SUITES.forEach(ssl::addEnabledCipherSuite);
        return ssl;
    }

    /** Turns on TLS in {@code options} with exactly the settings of {@link #sslOptions}; returns {@code options}. */
    public static HttpServerOptions configure(HttpServerOptions options, KeyCertOptions keyCert) {
        Objects.requireNonNull(options, "options");
        ServerSSLOptions ssl = sslOptions(keyCert);
        options.setSsl(true)
                .setKeyCertOptions(ssl.getKeyCertOptions())
                .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols())
                .setUseAlpn(ssl.isUseAlpn())
                .setAlpnVersions(ALPN_VERSIONS);
        // start from exactly our list, whatever the options held before
        List.copyOf(options.getEnabledCipherSuites()).forEach(options::removeEnabledCipherSuite);
        ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
        return options;
    }

    /**
     * Swaps the certificate of a listening server. Always forces the update: without {@code force}, Vert.x skips an
     * update whose options equal the current ones, which is the case when the same file paths are passed after the
     * files changed on disk.
     *
     * @return completes with {@code true} when the new material is in use; fails (and the server keeps its current
     *     material) when the new material cannot be loaded, or when the server is not listening
     */
    public static Future<Boolean> update(HttpServer server, KeyCertOptions keyCert) {
        return server.updateSSLOptions(sslOptions(keyCert), true);
    }
}

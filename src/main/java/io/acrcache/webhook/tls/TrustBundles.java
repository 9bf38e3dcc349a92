package io.acrcache.webhook.tls;

import io.vertx.core.net.TrustOptions;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

/** Trust for outbound TLS: the JVM's CAs, plus a PEM bundle of one's own (a registry behind a private CA, a proxy). */
public final class TrustBundles {
    private TrustBundles() {}

    /**
     * The JVM's trusted CAs and every certificate of {@code pemBundle}, added, not replacing: public registries stay
     * trusted.
     */
    public static TrustOptions jvmPlus(Path pemBundle) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (X509Certificate ca : jvmTrust().getAcceptedIssuers()) {
                store.setCertificateEntry("jvm-" + n++, ca);
            }
            List<X509Certificate> own = PemFiles.parseCertificates(
                    Files.readString(pemBundle, StandardCharsets.US_ASCII), pemBundle.toString());
            if (own.isEmpty()) {
                throw new IOException(pemBundle + ": no certificate in it");
            }
            for (X509Certificate c : own) {
                store.setCertificateEntry("own-" + n++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            return TrustOptions.wrap(tmf.getTrustManagers()[0]);
        } catch (GeneralSecurityException e) {
            throw new IOException(pemBundle + ": " + e.getMessage(), e);
        }
    }

    private static X509TrustManager jvmTrust() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }
}

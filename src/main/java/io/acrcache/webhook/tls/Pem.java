package io.acrcache.webhook.tls;

import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/** PEM encoding with fixed {@code \n} line endings and 64-character lines. */
final class Pem {

    private static final Base64.Encoder ENCODER = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private Pem() {}

    static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + ENCODER.encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    static String certificates(X509Certificate... certificates) {
        return certificates(List.of(certificates));
    }

    static String certificates(List<X509Certificate> certificates) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            try {
                sb.append(block("CERTIFICATE", certificate.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException(
                        "cannot encode certificate "
                                + certificate.getSubjectX500Principal().getName(),
                        e);
            }
        }
        return sb.toString();
    }

    /** PKCS#8 ({@code PRIVATE KEY}); JCA keys encode to PKCS#8 via {@code getEncoded()}. */
    static String privateKey(PrivateKey key) {
        if (!"PKCS#8".equalsIgnoreCase(key.getFormat())) {
            throw new IllegalArgumentException("private key is not PKCS#8 encodable (format " + key.getFormat() + ")");
        }
        return block("PRIVATE KEY", key.getEncoded());
    }
}

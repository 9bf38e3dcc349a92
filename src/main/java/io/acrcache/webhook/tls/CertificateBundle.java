package io.acrcache.webhook.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A generated certificate authority together with one serving certificate it issued.
 *
 * <p>{@link #toString()} deliberately never renders key material.
 *
 * @param caCertificate self-signed CA certificate (goes into the webhook's {@code caBundle})
 * @param caKey private key of the CA
 * @param certificate serving (leaf) certificate signed by the CA
 * @param key private key of the serving certificate
 */
public record CertificateBundle(
        X509Certificate caCertificate, PrivateKey caKey, X509Certificate certificate, PrivateKey key) {

    public CertificateBundle {
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(caKey, "caKey");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
    }

    /** The CA certificate as a PEM {@code CERTIFICATE} block. */
    public String caCertificatePem() {
        return Pem.certificates(caCertificate);
    }

    /** The CA private key as a PKCS#8 PEM {@code PRIVATE KEY} block. */
    public String caKeyPem() {
        return Pem.privateKey(caKey);
    }

    /** The serving certificate as a PEM {@code CERTIFICATE} block (leaf only, the CA is not appended). */
    public String certificatePem() {
        return Pem.certificates(certificate);
    }

    /** The serving private key as a PKCS#8 PEM {@code PRIVATE KEY} block. */
    public String keyPem() {
        return Pem.privateKey(key);
    }

    @Override
    public String toString() {
        return "CertificateBundle[subject="
                + certificate.getSubjectX500Principal().getName()
                + ", serial=" + certificate.getSerialNumber().toString(16)
                + ", notAfter=" + certificate.getNotAfter().toInstant()
                + ", ca=" + caCertificate.getSubjectX500Principal().getName() + "]";
    }
}

package io.acrcache.webhook.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A serving certificate chain and its private key that were checked to belong together. Build it with
 * {@link #load(Path, Path)} before handing material to the server, so that broken or mismatched files are rejected with
 * a clear message instead of failing TLS handshakes later.
 *
 * <p>Expiry is not a load error: an expired certificate is still returned ({@link #isExpired(Instant)} tells), the
 * caller decides whether to use it. {@link #toString()} never renders key material.
 *
 * @param chain leaf first, then any intermediates, as found in the certificate file
 * @param key private key matching the leaf's public key
 */
public record TlsMaterial(List<X509Certificate> chain, PrivateKey key) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** @throws IllegalArgumentException if the chain is empty or the key does not match the leaf certificate */
    public TlsMaterial {
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("certificate chain is empty");
        }
        requireMatchingKey(chain.get(0), key);
    }

    /** Reads and cross-checks a PEM certificate file and a PEM key file. */
    public static TlsMaterial load(Path certFile, Path keyFile) throws IOException {
        List<X509Certificate> chain = PemFiles.readCertificates(certFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        try {
            return new TlsMaterial(chain, key);
        } catch (IllegalArgumentException e) {
            throw new IOException(keyFile + " does not belong to " + certFile + ": " + e.getMessage(), e);
        }
    }

    /** The serving certificate and key of a generated bundle. */
    public static TlsMaterial of(CertificateBundle bundle) {
        return new TlsMaterial(List.of(bundle.certificate()), bundle.key());
    }

    /** The leaf (serving) certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    public BigInteger serialNumber() {
        return certificate().getSerialNumber();
    }

    public Instant notBefore() {
        return certificate().getNotBefore().toInstant();
    }

    /** Expiry of the leaf certificate. */
    public Instant notAfter() {
        return certificate().getNotAfter().toInstant();
    }

    public boolean isExpired(Instant now) {
        return now.isAfter(notAfter());
    }

    /** The chain as PEM {@code CERTIFICATE} blocks. */
    public String certificatePem() {
        return Pem.certificates(chain);
    }

    /** The key as PKCS#8 PEM, whatever format it was read from. */
    public String keyPem() {
        return Pem.privateKey(key);
    }

    @Override
    public String toString() {
        return "TlsMaterial[subject=" + certificate().getSubjectX500Principal().getName()
                + ", serial=" + serialNumber().toString(16) + ", notAfter=" + notAfter()
                + ", chainLength=" + chain.size() + "]";
    }

    /** Proves possession: a signature made with the key must verify with the certificate's public key. */
    static void requireMatchingKey(X509Certificate certificate, PrivateKey key) {
        PublicKey publicKey = certificate.getPublicKey();
        String algorithm = signatureAlgorithm(key);
        if (!sameFamily(publicKey.getAlgorithm(), key.getAlgorithm())) {
            throw new IllegalArgumentException("certificate has a " + publicKey.getAlgorithm()
                    + " key but the private key is " + key.getAlgorithm());
        }
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("private key does not match the certificate's public key");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "private key does not match the certificate's public key: " + e.getMessage(), e);
        }
    }

    /** The one signature algorithm used with a key of ours: proving possession here, signing certificates there. */
    static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> CertificateGenerator.SIGNATURE_ALGORITHM;
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new IllegalArgumentException("unsupported private key algorithm " + key.getAlgorithm());
        };
    }

    private static boolean sameFamily(String a, String b) {
        return normalize(a).equals(normalize(b));
    }

    private static String normalize(String algorithm) {
        return switch (algorithm) {
            case "ECDSA" -> "EC";
            case "Ed25519" -> "EdDSA";
            default -> algorithm;
        };
    }
}

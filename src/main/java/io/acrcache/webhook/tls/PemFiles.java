package io.acrcache.webhook.tls;

import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads PEM certificates and private keys with Bouncy Castle's {@link PEMParser}.
 *
 * <p>Private keys may be PKCS#8 ({@code PRIVATE KEY}), SEC 1 ({@code EC PRIVATE KEY}, optionally preceded by an
 * {@code EC PARAMETERS} block as written by {@code openssl ecparam -genkey}) or PKCS#1 ({@code RSA PRIVATE KEY}).
 * Encrypted keys are rejected. Every problem is reported as an {@link IOException} whose message names the source, so a
 * caller can log it and keep its current material.
 */
public final class PemFiles {

    private PemFiles() {}

    /** All {@code CERTIFICATE} blocks of a file, in file order; at least one. */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        return parseCertificates(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /** The single private key of a file. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        return parsePrivateKey(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /**
     * All {@code CERTIFICATE} blocks of PEM text, in order; other PEM blocks are ignored.
     *
     * @param source names the text in error messages (a file name, "secret x/y", ...)
     */
    public static List<X509Certificate> parseCertificates(String pem, String source) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = parser(pem)) {
            Object object;
            while ((object = read(parser, source)) != null) {
                if (object instanceof X509CertificateHolder holder) {
                    try {
                        certificates.add(converter.getCertificate(holder));
                    } catch (CertificateException e) {
                        throw new IOException(source + ": invalid certificate: " + e.getMessage(), e);
                    }
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new IOException(source + ": no PEM CERTIFICATE found");
        }
        return List.copyOf(certificates);
    }

    /**
     * The private key of PEM text. Exactly one key must be present.
     *
     * @param source names the text in error messages; the key itself never appears in a message
     */
    public static PrivateKey parsePrivateKey(String pem, String source) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        PrivateKey key = null;
        ASN1ObjectIdentifier curve = null;
        try (PEMParser parser = parser(pem)) {
            Object object;
            while ((object = read(parser, source)) != null) {
                PrivateKey found;
                if (object instanceof PrivateKeyInfo info) {
                    found = converter.getPrivateKey(info);
                } else if (object instanceof PEMKeyPair pair) {
                    // SEC 1 may omit the public key, so convert only the private part
                    found = converter.getPrivateKey(withCurve(pair.getPrivateKeyInfo(), curve, source));
                } else if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IOException(source + ": encrypted private keys are not supported");
                } else if (object instanceof ASN1ObjectIdentifier oid) {
                    curve = oid; // "EC PARAMETERS" block in front of an "EC PRIVATE KEY"
                    continue;
                } else {
                    continue; // e.g. a certificate in a combined file
                }
                if (key != null) {
                    throw new IOException(source + ": more than one private key");
                }
                key = found;
            }
        } catch (PEMException e) {
            throw new IOException(source + ": unusable private key: " + e.getMessage(), e);
        }
        if (key == null) {
            throw new IOException(
                    source + ": no PEM private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY) found");
        }
        return key;
    }

    /**
     * An "EC PRIVATE KEY" normally names its curve; when it does not, use the curve of a preceding "EC PARAMETERS"
     * block.
     */
    private static PrivateKeyInfo withCurve(PrivateKeyInfo info, ASN1ObjectIdentifier curve, String source)
            throws IOException {
        AlgorithmIdentifier algorithm = info.getPrivateKeyAlgorithm();
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm()) || hasParameters(algorithm)) {
            return info;
        }
        if (curve == null) {
            throw new IOException(source + ": EC private key names no curve (and no EC PARAMETERS block precedes it)");
        }
        return new PrivateKeyInfo(
                new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), info.parsePrivateKey());
    }

    private static boolean hasParameters(AlgorithmIdentifier algorithm) {
        return algorithm.getParameters() != null && !(algorithm.getParameters() instanceof ASN1Null);
    }

    private static PEMParser parser(String pem) {
        Reader reader = new StringReader(pem);
        return new PEMParser(reader);
    }

    private static Object read(PEMParser parser, String source) throws IOException {
        try {
            return parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IOException(source + ": malformed PEM: " + e.getMessage(), e);
        }
    }
}

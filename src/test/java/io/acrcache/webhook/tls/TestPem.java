package io.acrcache.webhook.tls;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** PEM forms other tools write, for tests. */
final class TestPem {

    /** An EC PARAMETERS block naming prime256v1 (OID 1.2.840.10045.3.1.7). */
    static final String EC_PARAMETERS_P256 = Pem.block(
            "EC PARAMETERS", new byte[] {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07});

    private TestPem() {}

    /** "EC PRIVATE KEY" (SEC 1) with the public key, with or without the curve OID; OpenSSL writes it with. */
    static String sec1(PrivateKey key, X509Certificate certificate, boolean withCurve) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        ASN1ObjectIdentifier curve =
                ASN1ObjectIdentifier.getInstance(info.getPrivateKeyAlgorithm().getParameters());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        DERBitString publicKey = new DERBitString(
                SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded())
                        .getPublicKeyData()
                        .getOctets());
        ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(), publicKey, withCurve ? curve : null);
        return Pem.block("EC PRIVATE KEY", sec1.getEncoded());
    }
}

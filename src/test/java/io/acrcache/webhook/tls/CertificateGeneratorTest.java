package io.acrcache.webhook.tls;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertificateGeneratorTest {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final List<String> DNS = CertificateGenerator.serviceDnsNames("acr-cache-webhook", "webhooks");
    private static final List<String> IPS = List.of("127.0.0.1", "::1");

    private static Instant before;
    private static CertificateBundle bundle;
    private static Instant after;

    @BeforeAll
    static void generate() {
        before = Instant.now();
        bundle = CertificateGenerator.generate("acr-cache-webhook.webhooks.svc", DNS, IPS, Duration.ofDays(30));
        after = Instant.now();
    }

    @Test
    void serviceDnsNamesCoverAllInClusterFormsAndLocalhost() {
        assertEquals(
                List.of("svc", "svc.ns", "svc.ns.svc", "svc.ns.svc.cluster.local", "localhost"),
                CertificateGenerator.serviceDnsNames("svc", "ns"));
        assertThrows(IllegalArgumentException.class, () -> CertificateGenerator.serviceDnsNames("Bad_Name", "ns"));
        assertThrows(IllegalArgumentException.class, () -> CertificateGenerator.serviceDnsNames("svc", " "));
    }

    @Test
    void leafVerifiesAgainstCaAndCaIsSelfSigned() throws GeneralSecurityException {
        bundle.certificate().verify(bundle.caCertificate().getPublicKey());
        bundle.caCertificate().verify(bundle.caCertificate().getPublicKey());
        assertEquals(
                bundle.caCertificate().getSubjectX500Principal(),
                bundle.certificate().getIssuerX500Principal());
        // the leaf is not signed by its own key
        assertThrows(
                GeneralSecurityException.class,
                () -> bundle.certificate().verify(bundle.certificate().getPublicKey()));
    }

    @Test
    void keysAreP256AndSignaturesEcdsaSha256() {
        for (X509Certificate c : List.of(bundle.caCertificate(), bundle.certificate())) {
            assertEquals("SHA256withECDSA", c.getSigAlgName());
            ECPublicKey key = (ECPublicKey) c.getPublicKey();
            assertEquals(256, key.getParams().getCurve().getField().getFieldSize());
        }
        assertEquals("EC", bundle.key().getAlgorithm());
        assertEquals("EC", bundle.caKey().getAlgorithm());
    }

    @Test
    void leafHasSansServerAuthAndIsNotACa() throws Exception {
        X509Certificate leaf = bundle.certificate();
        Set<String> dns = new HashSet<>();
        Set<String> ips = new HashSet<>();
        for (List<?> san : leaf.getSubjectAlternativeNames()) {
            int type = (Integer) san.get(0);
            if (type == 2) {
                dns.add((String) san.get(1));
            } else if (type == 7) {
                ips.add((String) san.get(1));
            }
        }
        assertEquals(Set.copyOf(DNS), dns);
        assertTrue(ips.contains("127.0.0.1"), ips.toString());
        assertTrue(ips.stream().anyMatch(ip -> ip.equals("0:0:0:0:0:0:0:1") || ip.equals("::1")), ips.toString());
        assertEquals(2, ips.size());

        assertEquals(List.of(SERVER_AUTH), leaf.getExtendedKeyUsage());
        assertEquals(-1, leaf.getBasicConstraints(), "CA:false");
        assertTrue(leaf.getCriticalExtensionOIDs().contains(Extension.basicConstraints.getId()));
        boolean[] ku = leaf.getKeyUsage();
        assertTrue(ku[0], "digitalSignature");
        assertTrue(ku[2], "keyEncipherment");
        assertFalse(ku[5], "keyCertSign");
        assertTrue(leaf.getSubjectX500Principal().getName().contains("CN=acr-cache-webhook.webhooks.svc"));
    }

    @Test
    void caIsCaWithCertSignAndCrlSign() {
        X509Certificate ca = bundle.caCertificate();
        assertTrue(ca.getBasicConstraints() >= 0, "CA:true");
        assertTrue(ca.getCriticalExtensionOIDs().contains(Extension.basicConstraints.getId()));
        boolean[] ku = ca.getKeyUsage();
        assertTrue(ku[5], "keyCertSign");
        assertTrue(ku[6], "cRLSign");
        assertFalse(ku[0], "digitalSignature");
        assertTrue(ca.getCriticalExtensionOIDs().contains(Extension.keyUsage.getId()));
    }

    @Test
    void keyIdentifiersLinkLeafToCa() {
        byte[] caSki = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(
                                bundle.caCertificate().getExtensionValue(Extension.subjectKeyIdentifier.getId()))
                        .getOctets())
                .getKeyIdentifier();
        byte[] leafAki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(
                                bundle.certificate().getExtensionValue(Extension.authorityKeyIdentifier.getId()))
                        .getOctets())
                .getKeyIdentifierObject()
                .getOctets();
        assertNotNull(caSki);
        assertArrayEquals(caSki, leafAki);
        assertNotNull(bundle.certificate().getExtensionValue(Extension.subjectKeyIdentifier.getId()));
    }

    @Test
    void validityIsAsAskedWithBackdatedNotBefore() {
        X509Certificate leaf = bundle.certificate();
        // X.509 times have second precision
        Instant notAfter = leaf.getNotAfter().toInstant();
        assertFalse(notAfter.isBefore(before.plus(Duration.ofDays(30)).minusSeconds(1)), notAfter.toString());
        assertFalse(notAfter.isAfter(after.plus(Duration.ofDays(30)).plusSeconds(1)), notAfter.toString());
        Instant notBefore = leaf.getNotBefore().toInstant();
        assertFalse(
                notBefore.isAfter(before.minus(CertificateGenerator.CLOCK_SKEW).plusSeconds(1)));
        assertFalse(
                notBefore.isBefore(before.minus(CertificateGenerator.CLOCK_SKEW).minusSeconds(2)));

        Instant caNotAfter = bundle.caCertificate().getNotAfter().toInstant();
        assertFalse(caNotAfter.isBefore(
                before.plus(CertificateGenerator.DEFAULT_CA_VALIDITY).minusSeconds(1)));
        assertFalse(caNotAfter.isAfter(
                after.plus(CertificateGenerator.DEFAULT_CA_VALIDITY).plusSeconds(1)));
    }

    @Test
    void caOutlivesALeafLongerThanTheDefaultCaValidity() {
        Duration twentyYears = Duration.ofDays(7300);
        CertificateBundle b = CertificateGenerator.generate("x", List.of("x"), List.of(), twentyYears);
        assertFalse(b.caCertificate().getNotAfter().before(b.certificate().getNotAfter()));
        assertThrows(
                IllegalArgumentException.class,
                () -> CertificateGenerator.generate(
                        "x", List.of("x"), List.of(), Duration.ofDays(10), Duration.ofDays(5)));
    }

    @Test
    void serialsArePositiveAndRandom() {
        Set<BigInteger> serials = new HashSet<>();
        serials.add(bundle.certificate().getSerialNumber());
        serials.add(bundle.caCertificate().getSerialNumber());
        for (int i = 0; i < 50; i++) {
            BigInteger s = CertificateGenerator.randomSerial();
            assertTrue(s.signum() > 0);
            assertTrue(s.bitLength() <= 159, "fits 20 octets");
            serials.add(s);
        }
        assertEquals(52, serials.size());
    }

    @Test
    void issueMakesANewLeafFromTheSameCa() throws GeneralSecurityException {
        CertificateBundle second = CertificateGenerator.issue(
                bundle.caCertificate(),
                bundle.caKey(),
                "other",
                List.of("localhost"),
                List.of("127.0.0.1"),
                Duration.ofDays(1));
        second.certificate().verify(bundle.caCertificate().getPublicKey());
        assertNotEquals(
                bundle.certificate().getSerialNumber(), second.certificate().getSerialNumber());
        assertNotEquals(
                bundle.certificate().getPublicKey(), second.certificate().getPublicKey());
        assertEquals(bundle.caCertificate(), second.caCertificate());
        assertThrows(
                IllegalArgumentException.class,
                () -> CertificateGenerator.issue(
                        bundle.caCertificate(),
                        bundle.caKey(),
                        "other",
                        List.of("localhost"),
                        List.of(),
                        Duration.ofDays(3651 * 2)));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(
                IllegalArgumentException.class,
                () -> CertificateGenerator.generate(" ", List.of("a"), List.of(), Duration.ofDays(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> CertificateGenerator.generate("a", List.of(), List.of(), Duration.ofDays(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> CertificateGenerator.generate("a", List.of("a"), List.of(), Duration.ZERO));
        assertThrows(
                IllegalArgumentException.class,
                () -> CertificateGenerator.generate(
                        "a", List.of("a"), List.of("not-an-ip.example.com"), Duration.ofDays(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> CertificateGenerator.generate("a", List.of("bad name"), List.of(), Duration.ofDays(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> CertificateGenerator.generate("a", List.of("a.*.b"), List.of(), Duration.ofDays(1)));
        // a leading wildcard label and IP-only certificates are fine
        CertificateGenerator.generate("a", List.of("*.example.com"), List.of(), Duration.ofDays(1));
        CertificateGenerator.generate("a", List.of(), List.of("10.0.0.1"), Duration.ofDays(1));
    }

    @Test
    void pemAccessorsProduceCertificatesAndPkcs8KeysButToStringHidesKeys() {
        assertTrue(bundle.caCertificatePem().startsWith("-----BEGIN CERTIFICATE-----\n"));
        assertTrue(bundle.certificatePem().endsWith("-----END CERTIFICATE-----\n"));
        assertTrue(bundle.keyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertTrue(bundle.caKeyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertFalse(bundle.toString().contains("PRIVATE"));
        assertFalse(bundle.toString().contains(bundle.keyPem().substring(28, 60)));
    }
}

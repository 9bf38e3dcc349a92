package io.acrcache.webhook.tls;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertificateFilesTest {

    private static CertificateBundle bundle;

    @TempDir
    Path dir;

    @BeforeAll
    static void generate() {
        bundle = CertificateGenerator.forService("acr-cache-webhook", "default", Duration.ofDays(10));
    }

    @Test
    void writesTheFourSecretFilesAndReadsThemBackEqual() throws IOException {
        CertificateFiles.Written written = CertificateFiles.write(bundle, dir.resolve("nested/certs"));
        for (String name : List.of("ca.crt", "ca.key", "tls.crt", "tls.key")) {
            assertTrue(Files.isRegularFile(dir.resolve("nested/certs").resolve(name)), name);
        }
        assertEquals(List.of(bundle.caCertificate()), PemFiles.readCertificates(written.caCertificate()));
        assertEquals(List.of(bundle.certificate()), PemFiles.readCertificates(written.certificate()));
        assertKeyEquals(bundle.caKey(), PemFiles.readPrivateKey(written.caKey()));
        assertKeyEquals(bundle.key(), PemFiles.readPrivateKey(written.key()));
        assertEquals(bundle.certificatePem(), Files.readString(written.certificate()));
        assertTrue(Files.readString(written.key()).startsWith("-----BEGIN PRIVATE KEY-----"));
        try (var listing = Files.list(written.directory())) {
            assertEquals(4, listing.count(), "no temporary files left behind");
        }
    }

    @Test
    void keyFilesAreOwnerOnly() throws IOException {
        CertificateFiles.Written written = CertificateFiles.write(bundle, dir);
        if (!CertificateFiles.supportsPosix(dir)) {
            return;
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(written.key())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(written.caKey())));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(written.certificate())));
    }

    @Test
    void rewritingReplacesTheFiles() throws IOException {
        CertificateFiles.write(bundle, dir);
        CertificateBundle other = CertificateGenerator.forService("acr-cache-webhook", "default", Duration.ofDays(1));
        CertificateFiles.Written written = CertificateFiles.write(other, dir);
        assertEquals(
                other.certificate(),
                PemFiles.readCertificates(written.certificate()).get(0));
    }

    @Test
    void expiryIsNotAfterOfTheFirstCertificate() throws IOException {
        CertificateFiles.Written written = CertificateFiles.write(bundle, dir);
        assertEquals(bundle.certificate().getNotAfter().toInstant(), CertificateFiles.expiry(written.certificate()));
        Path chain = dir.resolve("chain.pem");
        Files.writeString(chain, bundle.certificatePem() + bundle.caCertificatePem());
        assertEquals(List.of(bundle.certificate(), bundle.caCertificate()), PemFiles.readCertificates(chain));
        assertEquals(bundle.certificate().getNotAfter().toInstant(), CertificateFiles.expiry(chain));
    }

    @Test
    void readsSec1EcKeysAsOpensslWritesThem() throws IOException {
        String sec1 = TestPem.sec1(bundle.key(), bundle.certificate(), true);
        Path plain = Files.writeString(dir.resolve("ec.key"), sec1);
        assertKeyEquals(bundle.key(), PemFiles.readPrivateKey(plain));

        // what `openssl ecparam -name prime256v1 -genkey` writes: an EC PARAMETERS block first
        Path withParams = Files.writeString(dir.resolve("ec-params.key"), TestPem.EC_PARAMETERS_P256 + sec1);
        assertKeyEquals(bundle.key(), PemFiles.readPrivateKey(withParams));
    }

    @Test
    void sec1KeyWithoutCurveNeedsAnEcParametersBlock() throws IOException {
        String noCurve = TestPem.sec1(bundle.key(), bundle.certificate(), false);
        Path withParams = Files.writeString(dir.resolve("ec-params.key"), TestPem.EC_PARAMETERS_P256 + noCurve);
        assertKeyEquals(bundle.key(), PemFiles.readPrivateKey(withParams));
        Path bare = Files.writeString(dir.resolve("bare.key"), noCurve);
        IOException e = assertThrows(IOException.class, () -> PemFiles.readPrivateKey(bare));
        assertTrue(e.getMessage().contains("curve"), e.getMessage());
    }

    @Test
    void readsPkcs1RsaKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair rsa = generator.generateKeyPair();
        String pkcs1 = traditionalPem(rsa.getPrivate());
        assertTrue(pkcs1.startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        PrivateKey read = PemFiles.readPrivateKey(Files.writeString(dir.resolve("rsa.key"), pkcs1));
        assertEquals("RSA", read.getAlgorithm());
        assertArrayEquals(rsa.getPrivate().getEncoded(), read.getEncoded());
    }

    @Test
    void rejectsUnusableFilesWithMessagesNamingTheFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        IOException e = assertThrows(IOException.class, () -> PemFiles.readCertificates(empty));
        assertTrue(e.getMessage().contains("empty.pem"), e.getMessage());
        assertThrows(IOException.class, () -> PemFiles.readPrivateKey(empty));

        Path certOnly = Files.writeString(dir.resolve("cert-only.pem"), bundle.certificatePem());
        assertThrows(IOException.class, () -> PemFiles.readPrivateKey(certOnly));

        Path twoKeys = Files.writeString(dir.resolve("two.key"), bundle.keyPem() + bundle.caKeyPem());
        assertThrows(IOException.class, () -> PemFiles.readPrivateKey(twoKeys));

        Path garbage = Files.writeString(
                dir.resolve("garbage.pem"),
                "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        assertThrows(IOException.class, () -> PemFiles.readCertificates(garbage));

        StringWriter encrypted = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(encrypted)) {
            writer.writeObject(
                    bundle.key(),
                    new JcePEMEncryptorBuilder("AES-128-CBC")
                            .setProvider(new BouncyCastleProvider()) // a local instance, not registered in the JVM
                            .build("secret".toCharArray()));
        }
        Path enc = Files.writeString(dir.resolve("enc.key"), encrypted.toString());
        IOException encError = assertThrows(IOException.class, () -> PemFiles.readPrivateKey(enc));
        assertTrue(encError.getMessage().contains("encrypted"), encError.getMessage());

        assertThrows(IOException.class, () -> PemFiles.readCertificates(dir.resolve("missing.pem")));
    }

    @Test
    void tlsMaterialChecksThatKeyAndCertificateBelongTogether() throws IOException {
        CertificateFiles.Written written = CertificateFiles.write(bundle, dir);
        TlsMaterial material = TlsMaterial.load(written.certificate(), written.key());
        assertEquals(bundle.certificate().getSerialNumber(), material.serialNumber());
        assertEquals(bundle.certificate().getNotAfter().toInstant(), material.notAfter());
        assertFalse(material.isExpired(Instant.now()));
        assertTrue(material.isExpired(material.notAfter().plusSeconds(1)));
        assertFalse(material.toString().contains("PRIVATE"));

        // the CA key does not belong to the serving certificate
        IOException e = assertThrows(IOException.class, () -> TlsMaterial.load(written.certificate(), written.caKey()));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());

        // a SEC 1 key is normalised to PKCS#8 for the server
        Path sec1 = Files.writeString(dir.resolve("sec1.key"), TestPem.sec1(bundle.key(), bundle.certificate(), true));
        TlsMaterial fromSec1 = TlsMaterial.load(written.certificate(), sec1);
        assertTrue(fromSec1.keyPem().startsWith("-----BEGIN PRIVATE KEY-----"));
        assertKeyEquals(bundle.key(), PemFiles.parsePrivateKey(fromSec1.keyPem(), "normalised"));
    }

    @Test
    void devCertificatesAreGeneratedOnceThenReused() throws Exception {
        Path devDir = dir.resolve("dev");
        DevCertificates first = DevCertificates.ensure(devDir);
        assertTrue(first.generated());
        assertEquals(devDir.resolve("tls.crt"), first.certFile());
        assertEquals(devDir.resolve("tls.key"), first.keyFile());
        assertEquals(devDir.resolve("ca.crt"), first.caFile());
        X509Certificate cert = PemFiles.readCertificates(first.certFile()).get(0);
        assertTrue(cert.getSubjectAlternativeNames().stream()
                .anyMatch(san -> "acr-cache-webhook.default.svc".equals(san.get(1))));
        assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(san -> "localhost".equals(san.get(1))));
        assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(san -> "127.0.0.1".equals(san.get(1))));
        assertTrue(TlsMaterial.load(first.certFile(), first.keyFile()) != null);

        DevCertificates second = DevCertificates.ensure(devDir);
        assertFalse(second.generated());
        assertEquals(cert, PemFiles.readCertificates(second.certFile()).get(0));
    }

    @Test
    void devCertificatesReuseAnExistingPairWithoutCa() throws IOException {
        CertificateFiles.Written written = CertificateFiles.write(bundle, dir);
        Files.delete(written.caCertificate());
        DevCertificates dev = DevCertificates.ensure(dir);
        assertFalse(dev.generated());
        assertNull(dev.caFile());
    }

    @Test
    void devCertificatesNeverOverwriteIncompleteOrBrokenMaterial() throws IOException {
        Path devDir = Files.createDirectories(dir.resolve("dev"));
        Files.writeString(devDir.resolve("tls.crt"), bundle.certificatePem());
        IOException incomplete = assertThrows(IOException.class, () -> DevCertificates.ensure(devDir));
        assertTrue(incomplete.getMessage().contains("tls.key"), incomplete.getMessage());

        Files.writeString(devDir.resolve("tls.key"), bundle.caKeyPem()); // wrong key
        assertThrows(IOException.class, () -> DevCertificates.ensure(devDir));
        assertEquals(bundle.caKeyPem(), Files.readString(devDir.resolve("tls.key")), "left untouched");
    }

    /** Same key material; encodings may differ (SEC 1 keeps the optional public key inside PKCS#8). */
    private static void assertKeyEquals(PrivateKey expected, PrivateKey actual) {
        assertEquals(expected.getAlgorithm(), actual.getAlgorithm());
        if (expected instanceof java.security.interfaces.ECPrivateKey e
                && actual instanceof java.security.interfaces.ECPrivateKey a) {
            assertEquals(e.getS(), a.getS());
            assertEquals(e.getParams().getCurve(), a.getParams().getCurve());
            assertEquals(e.getParams().getGenerator(), a.getParams().getGenerator());
        } else {
            assertArrayEquals(expected.getEncoded(), actual.getEncoded());
        }
    }

    /** OpenSSL "traditional" encoding: PKCS#1 for RSA. */
    private static String traditionalPem(PrivateKey key) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(key);
        }
        return out.toString();
    }
}

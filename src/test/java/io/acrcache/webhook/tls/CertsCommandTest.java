package io.acrcache.webhook.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertsCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        try (PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
                PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            return CertsCommand.run(args, out, err);
        }
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesFourFilesAndPrintsCaBundleButNoKeys() throws Exception {
        Path certs = dir.resolve("out");
        Instant start = Instant.now();
        int code = run("--out", certs.toString(), "--service", "hook", "--namespace=infra", "--days", "30");
        assertEquals(0, code, err());
        for (String name : List.of("ca.crt", "ca.key", "tls.crt", "tls.key")) {
            assertTrue(Files.isRegularFile(certs.resolve(name)), name);
        }
        String output = out() + err();
        assertFalse(output.contains("PRIVATE KEY"), output);
        assertFalse(output.contains(Files.readString(certs.resolve("tls.key")).split("\n")[1]), "no key bytes printed");

        String caBundleLine = out().lines()
                .filter(l -> l.startsWith("caBundle: "))
                .findFirst()
                .orElseThrow();
        String caPem = new String(
                Base64.getDecoder().decode(caBundleLine.substring("caBundle: ".length())), StandardCharsets.US_ASCII);
        assertEquals(Files.readString(certs.resolve("ca.crt")), caPem);

        X509Certificate leaf =
                PemFiles.readCertificates(certs.resolve("tls.crt")).get(0);
        leaf.verify(PemFiles.readCertificates(certs.resolve("ca.crt")).get(0).getPublicKey());
        assertTrue(leaf.getSubjectAlternativeNames().stream()
                .anyMatch(san -> "hook.infra.svc.cluster.local".equals(san.get(1))));
        Instant notAfter = leaf.getNotAfter().toInstant();
        assertTrue(
                Math.abs(Duration.between(start.plus(Duration.ofDays(30)), notAfter)
                                .toSeconds())
                        < 60,
                notAfter.toString());
        assertTrue(TlsMaterial.load(certs.resolve("tls.crt"), certs.resolve("tls.key")) != null);
    }

    @Test
    void defaultsAndExtraSans() throws Exception {
        int code = run("--out", dir.toString(), "--dns", "hook.example.com", "--ip", "10.1.2.3");
        assertEquals(0, code, err());
        X509Certificate leaf = PemFiles.readCertificates(dir.resolve("tls.crt")).get(0);
        List<String> names = leaf.getSubjectAlternativeNames().stream()
                .map(san -> String.valueOf(san.get(1)))
                .toList();
        assertTrue(names.contains("acr-cache-webhook.acr-cache-webhook.svc"), names.toString());
        assertTrue(names.contains("hook.example.com"), names.toString());
        assertTrue(names.contains("10.1.2.3"), names.toString());
        Duration validity = Duration.between(Instant.now(), leaf.getNotAfter().toInstant());
        assertTrue(Math.abs(validity.minusDays(CertsCommand.DEFAULT_DAYS).toMinutes()) < 2, validity.toString());
    }

    @Test
    void refusesToOverwriteWithoutForce() throws IOException {
        assertEquals(0, run("--out", dir.toString()));
        String before = Files.readString(dir.resolve("tls.crt"));
        assertEquals(1, run("--out", dir.toString()));
        assertTrue(err().contains("--force"), err());
        assertTrue(err().contains("--out"), err());
        assertTrue(err().contains("--ca-cert"), err());
        assertEquals(before, Files.readString(dir.resolve("tls.crt")));
        assertEquals(0, run("--out", dir.toString(), "--force"));
        assertFalse(before.equals(Files.readString(dir.resolve("tls.crt"))));
    }

    @Test
    void issuesANewServingCertificateUnderAnExistingCa() throws Exception {
        Path first = dir.resolve("first");
        assertEquals(0, run("--out", first.toString()));
        String caBefore = Files.readString(first.resolve("ca.crt"));
        String leafBefore = Files.readString(first.resolve("tls.crt"));
        Path second = dir.resolve("second");
        outBytes.reset();
        int code = runUnderCa(first, second, "--dns", "new.example.com", "--days", "30");
        assertEquals(0, code, err());
        assertFalse(Files.exists(second.resolve("ca.key")), "the CA key is not copied");
        X509Certificate ca = PemFiles.readCertificates(first.resolve("ca.crt")).get(0);
        X509Certificate leaf =
                PemFiles.readCertificates(second.resolve("tls.crt")).get(0);
        leaf.verify(ca.getPublicKey());
        assertTrue(leaf.getSubjectAlternativeNames().stream().anyMatch(san -> "new.example.com".equals(san.get(1))));
        assertFalse(leafBefore.equals(Files.readString(second.resolve("tls.crt"))));
        assertEquals(caBefore, Files.readString(first.resolve("ca.crt")), "the CA is left as it was");
        String caBundle = Base64.getEncoder().encodeToString(caBefore.getBytes(StandardCharsets.US_ASCII));
        assertTrue(out().contains("caBundle: " + caBundle), "same caBundle as before: " + out());
        assertTrue(TlsMaterial.load(second.resolve("tls.crt"), second.resolve("tls.key")) != null);

        // the same folder holds a serving pair already: refused without --force, replaced with it
        assertEquals(1, runUnderCa(first, second));
        assertEquals(0, runUnderCa(first, first, "--force"));
        PemFiles.readCertificates(first.resolve("tls.crt")).get(0).verify(ca.getPublicKey());
        assertEquals(caBefore, Files.readString(first.resolve("ca.crt")));
    }

    @Test
    void aCaThatCannotBeReadOrIsOutlivedIsNamed() throws Exception {
        Path first = dir.resolve("ca");
        assertEquals(0, run("--out", first.toString()));
        errBytes.reset();
        assertEquals(
                1,
                run(
                        "--ca-cert",
                        dir.resolve("missing.crt").toString(),
                        "--ca-key",
                        first.resolve("ca.key").toString(),
                        "--out",
                        dir.resolve("x").toString()));
        assertTrue(err().contains("missing.crt"), err());
        errBytes.reset();
        assertEquals(2, runUnderCa(first, dir.resolve("y"), "--days", "36000"));
        assertTrue(err().contains("outlive"), err());
    }

    @Test
    void aCaKeyOfAnotherCaIsRefusedNamingBothFiles() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertEquals(0, run("--out", a.toString()));
        assertEquals(0, run("--out", b.toString()));
        Path out = dir.resolve("leaf");
        assertMismatchRefused(a.resolve("ca.crt"), b.resolve("ca.key"), out);

        // RSA: a CA of its own key is accepted, another RSA key and an EC key are not
        Path rsa = Files.createDirectories(dir.resolve("rsa"));
        KeyPair rsaKeys = rsaKeyPair();
        Files.writeString(rsa.resolve("ca.crt"), Pem.certificates(List.of(selfSignedRsaCa(rsaKeys))));
        Files.writeString(rsa.resolve("ca.key"), Pem.privateKey(rsaKeys.getPrivate()));
        Files.writeString(rsa.resolve("other.key"), Pem.privateKey(rsaKeyPair().getPrivate()));
        assertEquals(0, runUnderCa(rsa, dir.resolve("rsa-leaf")), err());
        assertMismatchRefused(rsa.resolve("ca.crt"), rsa.resolve("other.key"), out);
        assertMismatchRefused(rsa.resolve("ca.crt"), a.resolve("ca.key"), out);
        assertMismatchRefused(a.resolve("ca.crt"), rsa.resolve("ca.key"), out);
    }

    private void assertMismatchRefused(Path caCert, Path caKey, Path out) {
        errBytes.reset();
        int code = run("--ca-cert", caCert.toString(), "--ca-key", caKey.toString(), "--out", out.toString());
        assertEquals(2, code, err());
        assertTrue(err().contains("the CA key " + caKey + " does not belong to the CA certificate " + caCert), err());
        assertFalse(Files.exists(out.resolve("tls.crt")), "no leaf written");
    }

    private static KeyPair rsaKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate selfSignedRsaCa(KeyPair keys) throws Exception {
        X500Name name = new X500Name("CN=rsa test CA");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(
                name,
                BigInteger.ONE,
                Date.from(now),
                Date.from(now.plus(Duration.ofDays(3650))),
                name,
                keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
    }

    @Test
    void aLeafThatWouldOutliveTheCaIsRefusedInDays() throws Exception {
        Path ca = dir.resolve("ca");
        assertEquals(0, run("--out", ca.toString()));
        errBytes.reset();
        assertEquals(2, runUnderCa(ca, dir.resolve("y"), "--days", "5000"));
        assertTrue(err().contains("a certificate valid for 5000 days would outlive its CA"), err());
        assertFalse(err().contains("PT120000H"), err());
    }

    /** {@code certs} with the CA that an earlier run wrote to {@code caDir}, writing to {@code out}. */
    private int runUnderCa(Path caDir, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--ca-cert",
                caDir.resolve("ca.crt").toString(),
                "--ca-key",
                caDir.resolve("ca.key").toString(),
                "--out",
                out.toString()));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    @Test
    void helpPrintsUsage() {
        assertEquals(0, run("--help"));
        assertTrue(out().contains("--namespace"), out());
        assertTrue(out().contains("--days"), out());
    }

    @Test
    void badArgumentsExitTwoNamingTheFlag() {
        assertUsageError("--bogus", "--bogus");
        assertUsageError("--days", "--days", "abc");
        assertUsageError("--days", "--days=0");
        assertUsageError("--days", "--days");
        assertUsageError("--service", "--service", "Not_A_Label");
        assertUsageError("--namespace", "--namespace", "");
        assertUsageError("--ip", "--ip", "host.example.com");
        assertUsageError("--dns", "--dns", "bad name");
        assertUsageError("--out", "--out", "--force");
        assertUsageError("stray", "stray");
        assertUsageError("--ca-key", "--ca-cert", "ca.crt");
    }

    private void assertUsageError(String expectedInMessage, String... args) {
        outBytes.reset();
        errBytes.reset();
        assertEquals(2, run(args), String.join(" ", args));
        assertTrue(err().contains(expectedInMessage), err());
        try (var listing = Files.list(dir)) {
            assertEquals(0, listing.count(), "nothing written");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

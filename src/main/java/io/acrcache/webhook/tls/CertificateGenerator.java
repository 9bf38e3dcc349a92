package io.acrcache.webhook.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Generates a private certificate authority and serving certificates for the webhook with Bouncy Castle.
 *
 * <ul>
 *   <li>Keys: ECDSA on NIST P-256 (secp256r1), signatures SHA256withECDSA. P-256 is accepted by every TLS client that
 *       matters (Kubernetes API server, curl, browsers) and makes handshakes much cheaper than RSA-2048.
 *   <li>Validity: the leaf validity is whatever the caller asks ({@link #DEFAULT_LEAF_VALIDITY}, one year, by default);
 *       the CA lives {@link #DEFAULT_CA_VALIDITY} (ten years) or as long as the leaf if that is longer.
 *       {@code notBefore} is backdated by {@link #CLOCK_SKEW} so nodes with a slightly slow clock accept a freshly
 *       generated certificate.
 *   <li>Serial numbers: random, positive, 127 bits of entropy (RFC 5280 allows up to 20 octets).
 * </ul>
 *
 * <p>Only the JDK providers are used at run time (key generation, certificate conversion); Bouncy Castle is used for
 * ASN.1/X.509 building and is not registered as a global JCA provider.
 */
public final class CertificateGenerator {

    /** Default validity of a serving certificate: 365 days. */
    public static final Duration DEFAULT_LEAF_VALIDITY = Duration.ofDays(365);
    /** Default validity of the generated CA: 3650 days (about ten years). */
    public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);
    /** How far {@code notBefore} is moved into the past to tolerate clock skew between machines. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    /** Signature algorithm of every certificate this class produces. */
    public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    /** Named curve of every key this class produces. */
    public static final String CURVE = "secp256r1";
    /** IP addresses added by {@link #forService}: the IPv4 and IPv6 loopback addresses. */
    public static final List<String> LOOPBACK_IP_ADDRESSES = List.of("127.0.0.1", "::1");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private CertificateGenerator() {}

    /**
     * The DNS names under which the API server (and local tools) reach the webhook service: {@code service},
     * {@code service.namespace}, {@code service.namespace.svc}, {@code service.namespace.svc.cluster.local} and
     * {@code localhost}.
     */
    public static List<String> serviceDnsNames(String service, String namespace) {
        String svc = requireLabel(service, "service");
        String ns = requireLabel(namespace, "namespace");
        return List.of(
                svc, svc + "." + ns, svc + "." + ns + ".svc", svc + "." + ns + ".svc.cluster.local", "localhost");
    }

    /** The common name used for a service's serving certificate: {@code service.namespace.svc}. */
    public static String serviceCommonName(String service, String namespace) {
        return requireLabel(service, "service") + "." + requireLabel(namespace, "namespace") + ".svc";
    }

    /**
     * A new CA and serving certificate for a Kubernetes service, with the SANs of {@link #serviceDnsNames} plus the
     * loopback addresses {@code 127.0.0.1} and {@code ::1}.
     */
    public static CertificateBundle forService(String service, String namespace, Duration leafValidity) {
        return generate(
                serviceCommonName(service, namespace),
                serviceDnsNames(service, namespace),
                LOOPBACK_IP_ADDRESSES,
                leafValidity);
    }

    /**
     * A new CA (valid {@link #DEFAULT_CA_VALIDITY} or {@code validity}, whichever is longer) and a serving certificate
     * valid for {@code validity}.
     *
     * @param commonName subject CN of the serving certificate; the CA is named {@code "<commonName> CA"}
     * @param dnsNames DNS SANs (a leading {@code *.} wildcard label is allowed)
     * @param ipAddresses IP SANs, IPv4 or IPv6 literals (no name resolution is performed)
     * @param validity validity of the serving certificate, counted from now
     * @throws IllegalArgumentException for blank names, malformed SANs, no SAN at all, or a non-positive validity
     */
    public static CertificateBundle generate(
            String commonName, List<String> dnsNames, List<String> ipAddresses, Duration validity) {
        requirePositive(validity, "validity");
        Duration caValidity = validity.compareTo(DEFAULT_CA_VALIDITY) > 0 ? validity : DEFAULT_CA_VALIDITY;
        return generate(commonName, dnsNames, ipAddresses, validity, caValidity);
    }

    /**
     * Like {@link #generate(String, List, List, Duration)} with an explicit CA validity, which must not be shorter than
     * the leaf validity.
     */
    public static CertificateBundle generate(
            String commonName,
            List<String> dnsNames,
            List<String> ipAddresses,
            Duration leafValidity,
            Duration caValidity) {
        requireText(commonName, "commonName");
        requirePositive(leafValidity, "leaf validity");
        requirePositive(caValidity, "CA validity");
        if (caValidity.compareTo(leafValidity) < 0) {
            throw new IllegalArgumentException(
                    "CA validity " + caValidity + " is shorter than leaf validity " + leafValidity);
        }
        GeneralNames sans = subjectAlternativeNames(dnsNames, ipAddresses);
        Instant now = Instant.now();
        KeyPair caKeys = newKeyPair();
        X509Certificate ca = buildCa(commonName + " CA", caKeys, now, caValidity);
        KeyPair leafKeys = newKeyPair();
        X509Certificate leaf =
                buildLeaf(commonName, sans, leafKeys.getPublic(), ca, caKeys.getPrivate(), now, leafValidity);
        return new CertificateBundle(ca, caKeys.getPrivate(), leaf, leafKeys.getPrivate());
    }

    /**
     * Issues a new serving certificate (with a fresh key pair) from an existing CA, for example to rotate the serving
     * certificate without changing the {@code caBundle}.
     *
     * @throws IllegalArgumentException if the certificate would outlive the CA, or for invalid names/validity
     */
    public static CertificateBundle issue(
            X509Certificate caCertificate,
            PrivateKey caKey,
            String commonName,
            List<String> dnsNames,
            List<String> ipAddresses,
            Duration validity) {
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(caKey, "caKey");
        requireText(commonName, "commonName");
        requirePositive(validity, "validity");
        GeneralNames sans = subjectAlternativeNames(dnsNames, ipAddresses);
        Instant now = Instant.now();
        if (now.plus(validity).isAfter(caCertificate.getNotAfter().toInstant())) {
            throw new IllegalArgumentException(
                    "a certificate valid for " + inDays(validity) + " would outlive its CA (notAfter "
                            + caCertificate.getNotAfter().toInstant() + ")");
        }
        KeyPair leafKeys = newKeyPair();
        X509Certificate leaf = buildLeaf(commonName, sans, leafKeys.getPublic(), caCertificate, caKey, now, validity);
        return new CertificateBundle(caCertificate, caKey, leaf, leafKeys.getPrivate());
    }

    /** {@code --days} speaks in days, so the refusal does too (not {@code PT120000H}). */
    static String inDays(Duration validity) {
        return validity.equals(Duration.ofDays(validity.toDays())) ? validity.toDays() + " days" : validity.toString();
    }

    // ---------------------------------------------------------------------------------------------

    private static X509Certificate buildCa(String commonName, KeyPair keys, Instant now, Duration validity) {
        X500Name subject = name(commonName);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(subject, subject, keys.getPublic(), now, validity);
            // pathLen 0: this CA only ever signs end-entity certificates.
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return sign(builder, keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build CA certificate", e);
        }
    }

    private static X509Certificate buildLeaf(
            String commonName,
            GeneralNames sans,
            PublicKey publicKey,
            X509Certificate ca,
            PrivateKey caKey,
            Instant now,
            Duration validity) {
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X500Name issuer = X500Name.getInstance(ca.getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder builder = builder(issuer, name(commonName), publicKey, now, validity);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            // RFC 5280: SAN must be critical only when the subject is empty; ours has a CN.
            builder.addExtension(Extension.subjectAlternativeName, false, sans);
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
            builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            return sign(builder, caKey);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot build serving certificate", e);
        }
    }

    /** What every certificate here shares: a random serial, valid from a clock skew before now. */
    private static X509v3CertificateBuilder builder(
            X500Name issuer, X500Name subject, PublicKey publicKey, Instant now, Duration validity) {
        return new JcaX509v3CertificateBuilder(
                issuer,
                randomSerial(),
                Date.from(now.minus(CLOCK_SKEW)),
                Date.from(now.plus(validity)),
                subject,
                publicKey);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
            throws GeneralSecurityException {
        ContentSigner signer;
        try {
            signer = new JcaContentSignerBuilder(TlsMaterial.signatureAlgorithm(signingKey)).build(signingKey);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot create signer", e);
        }
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 key generation is not available", e);
        }
    }

    /** Positive and never zero; 16 octets when DER encoded. */
    static BigInteger randomSerial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, commonName)
                .build();
    }

    static GeneralNames subjectAlternativeNames(List<String> dnsNames, List<String> ipAddresses) {
        Set<String> dns = new LinkedHashSet<>();
        for (String name : dnsNames == null ? List.<String>of() : dnsNames) {
            dns.add(validDnsName(name));
        }
        Set<String> ips = new LinkedHashSet<>();
        for (String ip : ipAddresses == null ? List.<String>of() : ipAddresses) {
            if (ip == null || !IPAddress.isValid(ip.trim())) {
                throw new IllegalArgumentException("not an IP address literal: " + ip);
            }
            ips.add(ip.trim());
        }
        if (dns.isEmpty() && ips.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one DNS name or IP address");
        }
        List<GeneralName> names = new ArrayList<>();
        dns.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
        ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static String validDnsName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("DNS name must not be blank");
        }
        String lower = name.trim().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        String[] labels = lower.split("\\.", -1);
        if (lower.length() > 253) {
            throw new IllegalArgumentException("DNS name too long: " + name);
        }
        for (int i = 0; i < labels.length; i++) {
            boolean wildcard = i == 0 && labels.length > 1 && labels[i].equals("*");
            if (!wildcard && !DNS_LABEL.matcher(labels[i]).matches()) {
                throw new IllegalArgumentException("not a valid DNS name: " + name);
            }
        }
        return lower;
    }

    private static String requireLabel(String value, String what) {
        requireText(value, what);
        if (!DNS_LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    what + " must be a DNS label (lower case letters, digits, '-'): " + value);
        }
        return value;
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    private static void requirePositive(Duration duration, String what) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + duration);
        }
    }
}

package io.acrcache.webhook.chart;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.acrcache.webhook.chart.ChartRenderer.FULLNAME;
import static io.acrcache.webhook.chart.ChartRenderer.NAMESPACE;
import static io.acrcache.webhook.chart.ChartRenderer.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertificatesTest {

    private static final String TLS_SECRET = FULLNAME + "-tls";
    private static final String SECRET_LOOKUP = "GET /api/v1/namespaces/" + NAMESPACE + "/secrets/" + TLS_SECRET;
    private static final List<String> DNS_NAMES = List.of(
            FULLNAME,
            FULLNAME + "." + NAMESPACE,
            FULLNAME + "." + NAMESPACE + ".svc",
            FULLNAME + "." + NAMESPACE + ".svc.cluster.local");

    // --- selfSigned (default) -----------------------------------------------------------------

    @Test
    void selfSignedCaBundleIsTheCaInTheSecretAndSignsTheServingCertificate() throws Exception {
        List<HasMetadata> objects = ChartRenderer.objects(values());

        Secret secret = ChartRenderer.named(objects, Secret.class, TLS_SECRET);
        assertEquals("kubernetes.io/tls", secret.getType());
        assertEquals(Set.of("tls.crt", "tls.key", "ca.crt"), secret.getData().keySet());
        for (MutatingWebhook webhook : webhooks(objects)) {
            assertEquals(
                    secret.getData().get("ca.crt"), webhook.getClientConfig().getCaBundle(), webhook.getName());
        }

        X509Certificate ca = certificate(decode(secret.getData().get("ca.crt")));
        X509Certificate serving = certificate(decode(secret.getData().get("tls.crt")));
        serving.verify(ca.getPublicKey()); // throws unless the CA signed it
        assertEquals(-1, serving.getBasicConstraints(), "serving certificate must not be a CA");
        assertTrue(ca.getBasicConstraints() >= 0, "CA certificate must be a CA");
        assertTrue(dnsNames(serving).containsAll(DNS_NAMES), () -> "SANs " + dnsNames(serving));
        KeyPair key = keyPair(decode(secret.getData().get("tls.key")));
        assertArrayEquals(serving.getPublicKey().getEncoded(), key.getPublic().getEncoded());
        long days = (serving.getNotAfter().getTime() - serving.getNotBefore().getTime()) / 86_400_000L;
        assertTrue(days >= 3649 && days <= 3651, "validity " + days + " days");
    }

    @Test
    void selfSignedSecretIsTheOneThePodsMount() {
        List<HasMetadata> objects = ChartRenderer.objects(values());
        assertEquals(TLS_SECRET, tlsVolumeSecret(objects));
    }

    @Test
    void validityDaysIsUsed() throws Exception {
        Secret secret = ChartRenderer.named(
                ChartRenderer.objects(values("certificates.selfSigned.validityDays", "30")), Secret.class, TLS_SECRET);
        X509Certificate serving = certificate(decode(secret.getData().get("tls.crt")));
        long days = (serving.getNotAfter().getTime() - serving.getNotBefore().getTime()) / 86_400_000L;
        assertTrue(days >= 29 && days <= 31, "validity " + days + " days");
    }

    @Test
    void aFirstInstallLooksTheSecretUpAndGeneratesNewMaterialEachTime() {
        Secret first = tlsSecret(ChartRenderer.load(ChartRenderer.render(values(), List.of())));
        assertEquals(List.of(SECRET_LOOKUP), ChartRenderer.lastLookups());
        Secret second = tlsSecret(ChartRenderer.load(ChartRenderer.render(values(), List.of())));

        assertNotEquals(first.getData().get("ca.crt"), second.getData().get("ca.crt"));
        assertNotEquals(first.getData().get("tls.key"), second.getData().get("tls.key"));
    }

    @Test
    void anUpgradeKeepsTheExistingCertificateAndCa() {
        Secret installed = tlsSecret(ChartRenderer.load(ChartRenderer.render(values(), List.of())));
        Secret inCluster = new SecretBuilder(installed)
                .editMetadata()
                .withNamespace(NAMESPACE)
                .endMetadata()
                .build();

        List<HasMetadata> upgraded =
                ChartRenderer.load(ChartRenderer.render(values("logging.level", "debug"), List.of(inCluster)));

        assertEquals(List.of(SECRET_LOOKUP), ChartRenderer.lastLookups());
        assertEquals(installed.getData(), tlsSecret(upgraded).getData());
        for (MutatingWebhook webhook : webhooks(upgraded)) {
            assertEquals(
                    installed.getData().get("ca.crt"), webhook.getClientConfig().getCaBundle());
        }
        assertTrue(ChartRenderer.notes(values(), List.of(inCluster)).contains("kept from the previous release"));
    }

    @Test
    void anIncompleteExistingSecretIsReplaced() {
        Secret installed = tlsSecret(ChartRenderer.load(ChartRenderer.render(values(), List.of())));
        Map<String, String> withoutCa = new HashMap<>(installed.getData());
        withoutCa.remove("ca.crt");
        Secret inCluster = new SecretBuilder(installed)
                .editMetadata()
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withData(withoutCa)
                .build();

        List<HasMetadata> upgraded = ChartRenderer.load(ChartRenderer.render(values(), List.of(inCluster)));

        Secret regenerated = tlsSecret(upgraded);
        assertEquals(
                Set.of("tls.crt", "tls.key", "ca.crt"), regenerated.getData().keySet());
        assertNotEquals(
                installed.getData().get("tls.key"), regenerated.getData().get("tls.key"));
        for (MutatingWebhook webhook : webhooks(upgraded)) {
            assertEquals(
                    regenerated.getData().get("ca.crt"),
                    webhook.getClientConfig().getCaBundle());
        }
        assertTrue(ChartRenderer.notes(values(), List.of(inCluster)).contains("newly generated"));
    }

    // --- certManager -----------------------------------------------------------------------------

    @Test
    void certManagerModeBuildsACaChainAndInjectsTheCaByAnnotation() {
        List<HasMetadata> objects = ChartRenderer.objects(values("certificates.mode", "certManager"));
        String servingSecret = FULLNAME + "-certmanager-tls";

        assertTrue(ChartRenderer.all(objects, Secret.class).isEmpty(), "cert-manager writes the Secret");
        assertEquals(List.of(), ChartRenderer.lastLookups());

        Map<String, GenericKubernetesResource> issuers = byName(ChartRenderer.custom(objects, "Issuer"));
        assertEquals(Set.of(FULLNAME + "-selfsigned", FULLNAME + "-ca"), issuers.keySet());
        assertEquals(Map.of(), spec(issuers.get(FULLNAME + "-selfsigned")).get("selfSigned"));
        assertEquals(
                Map.of("secretName", FULLNAME + "-ca"),
                spec(issuers.get(FULLNAME + "-ca")).get("ca"));

        Map<String, GenericKubernetesResource> certificates = byName(ChartRenderer.custom(objects, "Certificate"));
        assertEquals(Set.of(FULLNAME + "-ca", FULLNAME + "-serving"), certificates.keySet());
        Map<String, Object> ca = spec(certificates.get(FULLNAME + "-ca"));
        assertEquals(true, ca.get("isCA"));
        assertEquals(FULLNAME + "-ca", ca.get("secretName"));
        assertEquals(FULLNAME + "-selfsigned", issuerRef(ca).get("name"));

        Map<String, Object> serving = spec(certificates.get(FULLNAME + "-serving"));
        assertEquals(servingSecret, serving.get("secretName"));
        assertEquals(DNS_NAMES, serving.get("dnsNames"));
        assertEquals(
                Map.of("name", FULLNAME + "-ca", "kind", "Issuer", "group", "cert-manager.io"), issuerRef(serving));
        assertEquals("2160h", serving.get("duration"));
        assertEquals("720h", serving.get("renewBefore"));
        assertEquals(servingSecret, tlsVolumeSecret(objects));

        MutatingWebhookConfiguration configuration = ChartRenderer.single(objects, MutatingWebhookConfiguration.class);
        assertEquals(
                NAMESPACE + "/" + FULLNAME + "-serving",
                configuration.getMetadata().getAnnotations().get("cert-manager.io/inject-ca-from"));
        for (MutatingWebhook webhook : configuration.getWebhooks()) {
            assertNull(webhook.getClientConfig().getCaBundle(), "the CA injector fills it");
        }
    }

    @Test
    void certManagerModeUsesAGivenIssuerInsteadOfItsOwnChain() {
        List<HasMetadata> objects = ChartRenderer.objects(values(
                "certificates.mode", "certManager",
                "certificates.certManager.issuerRef.name", "cluster-ca",
                "certificates.certManager.issuerRef.kind", "ClusterIssuer"));

        assertTrue(ChartRenderer.custom(objects, "Issuer").isEmpty());
        List<GenericKubernetesResource> certificates = ChartRenderer.custom(objects, "Certificate");
        assertEquals(1, certificates.size());
        assertEquals(
                Map.of("name", "cluster-ca", "kind", "ClusterIssuer", "group", "cert-manager.io"),
                issuerRef(spec(certificates.get(0))));
    }

    // --- existingSecret --------------------------------------------------------------------------

    @Test
    void existingSecretModeUsesTheGivenSecretAndCaBundle() {
        String caBundle =
                Base64.getEncoder().encodeToString("-----BEGIN CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII));
        List<HasMetadata> objects = ChartRenderer.objects(values(
                "certificates.mode", "existingSecret",
                "certificates.existingSecret.name", "my-webhook-tls",
                "certificates.existingSecret.caBundle", caBundle));

        assertTrue(ChartRenderer.all(objects, Secret.class).isEmpty());
        assertTrue(ChartRenderer.custom(objects, "Certificate").isEmpty());
        assertEquals(List.of(), ChartRenderer.lastLookups());
        assertEquals("my-webhook-tls", tlsVolumeSecret(objects));
        MutatingWebhookConfiguration configuration = ChartRenderer.single(objects, MutatingWebhookConfiguration.class);
        assertFalse(configuration.getMetadata().getAnnotations() != null
                && configuration.getMetadata().getAnnotations().containsKey("cert-manager.io/inject-ca-from"));
        for (MutatingWebhook webhook : configuration.getWebhooks()) {
            assertEquals(caBundle, webhook.getClientConfig().getCaBundle());
        }
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static List<MutatingWebhook> webhooks(List<HasMetadata> objects) {
        return ChartRenderer.single(objects, MutatingWebhookConfiguration.class).getWebhooks();
    }

    private static Secret tlsSecret(List<HasMetadata> objects) {
        return ChartRenderer.named(objects, Secret.class, TLS_SECRET);
    }

    private static String tlsVolumeSecret(List<HasMetadata> objects) {
        return ChartRenderer.single(objects, Deployment.class).getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("tls"))
                .findFirst()
                .orElseThrow()
                .getSecret()
                .getSecretName();
    }

    private static Map<String, GenericKubernetesResource> byName(List<GenericKubernetesResource> resources) {
        return resources.stream().collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> issuerRef(Map<String, Object> spec) {
        return (Map<String, Object>) spec.get("issuerRef");
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }

    private static X509Certificate certificate(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static List<String> dnsNames(X509Certificate certificate) {
        try {
            return certificate.getSubjectAlternativeNames().stream()
                    .filter(san -> (Integer) san.get(0) == 2)
                    .map(san -> (String) san.get(1))
                    .collect(Collectors.toList());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keyPair(String pem) throws Exception {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return new JcaPEMKeyConverter().getKeyPair((PEMKeyPair) parser.readObject());
        }
    }
}

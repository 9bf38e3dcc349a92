package io.acrcache.webhook.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.acrcache.webhook.chart.ChartRenderer.FULLNAME;
import static io.acrcache.webhook.chart.ChartRenderer.NAMESPACE;
import static io.acrcache.webhook.chart.ChartRenderer.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookConfigurationTest {

    private static final String ENFORCE = "enforce.acr-cache-webhook.io";
    private static final String AUDIT = "audit.acr-cache-webhook.io";

    private static MutatingWebhookConfiguration configuration(Map<String, String> values) {
        return ChartRenderer.single(ChartRenderer.objects(values), MutatingWebhookConfiguration.class);
    }

    private static Map<String, MutatingWebhook> byName(MutatingWebhookConfiguration configuration) {
        return configuration.getWebhooks().stream().collect(Collectors.toMap(MutatingWebhook::getName, w -> w));
    }

    private static LabelSelectorRequirement requirement(MutatingWebhook webhook, String key) {
        List<LabelSelectorRequirement> found = webhook.getNamespaceSelector().getMatchExpressions().stream()
                .filter(r -> r.getKey().equals(key))
                .collect(Collectors.toList());
        assertEquals(1, found.size(), () -> "expressions with key " + key + " in " + webhook.getName());
        return found.get(0);
    }

    private static void assertRequirement(MutatingWebhook webhook, String key, String operator, List<String> values) {
        LabelSelectorRequirement r = requirement(webhook, key);
        assertEquals(operator, r.getOperator(), webhook.getName() + " " + key);
        assertEquals(values, r.getValues(), webhook.getName() + " " + key);
    }

    @Test
    void registersAnEnforceAndAnAuditWebhookOnTheWebhookService() {
        MutatingWebhookConfiguration configuration = configuration(values());
        assertEquals(FULLNAME, configuration.getMetadata().getName());
        Map<String, MutatingWebhook> webhooks = byName(configuration);
        assertEquals(
                List.of(ENFORCE, AUDIT),
                configuration.getWebhooks().stream()
                        .map(MutatingWebhook::getName)
                        .toList());

        Map<String, String> expectedPaths = Map.of(ENFORCE, "/mutate", AUDIT, "/mutate/audit");
        expectedPaths.forEach((name, path) -> {
            ServiceReference service = webhooks.get(name).getClientConfig().getService();
            assertEquals(FULLNAME, service.getName(), name);
            assertEquals(NAMESPACE, service.getNamespace(), name);
            assertEquals(path, service.getPath(), name);
            assertEquals(443, service.getPort(), name);
            assertNull(webhooks.get(name).getClientConfig().getUrl(), name);
        });
    }

    @Test
    void fixedSettingsOnBothWebhooks() {
        for (MutatingWebhook webhook : configuration(values()).getWebhooks()) {
            String name = webhook.getName();
            assertEquals(List.of("v1"), webhook.getAdmissionReviewVersions(), name);
            assertEquals("None", webhook.getSideEffects(), name);
            assertEquals("IfNeeded", webhook.getReinvocationPolicy(), name);
            assertEquals("Equivalent", webhook.getMatchPolicy(), name);
        }
    }

    @Test
    void failurePolicyIsIgnoreAndTimeoutFiveSecondsByDefault() {
        for (MutatingWebhook webhook : configuration(values()).getWebhooks()) {
            assertEquals("Ignore", webhook.getFailurePolicy(), webhook.getName());
            assertEquals(5, webhook.getTimeoutSeconds(), webhook.getName());
        }
    }

    @Test
    void failurePolicyAndTimeoutAreOverridable() {
        MutatingWebhookConfiguration configuration =
                configuration(values("webhook.failurePolicy", "Fail", "webhook.timeoutSeconds", "12"));
        for (MutatingWebhook webhook : configuration.getWebhooks()) {
            assertEquals("Fail", webhook.getFailurePolicy(), webhook.getName());
            assertEquals(12, webhook.getTimeoutSeconds(), webhook.getName());
        }
    }

    @Test
    void interceptsPodCreateAndEphemeralContainerUpdateOnly() {
        for (MutatingWebhook webhook : configuration(values()).getWebhooks()) {
            List<RuleWithOperations> rules = webhook.getRules();
            assertEquals(2, rules.size(), webhook.getName());

            RuleWithOperations create = rules.get(0);
            assertEquals(List.of("CREATE"), create.getOperations());
            assertEquals(List.of("pods"), create.getResources());

            RuleWithOperations ephemeral = rules.get(1);
            assertEquals(List.of("UPDATE"), ephemeral.getOperations());
            assertEquals(List.of("pods/ephemeralcontainers"), ephemeral.getResources());

            for (RuleWithOperations rule : rules) {
                assertEquals(List.of(""), rule.getApiGroups());
                assertEquals(List.of("v1"), rule.getApiVersions());
                assertEquals("Namespaced", rule.getScope());
            }
        }
    }

    @Test
    void namespaceSelectorExcludesSystemAndOwnNamespacesOptOutsAndWhatAksWouldAdd() {
        Map<String, MutatingWebhook> webhooks = byName(configuration(values()));
        for (MutatingWebhook webhook : webhooks.values()) {
            LabelSelector selector = webhook.getNamespaceSelector();
            assertTrue(
                    selector.getMatchLabels() == null
                            || selector.getMatchLabels().isEmpty(),
                    webhook.getName());
            assertEquals(5, selector.getMatchExpressions().size(), webhook.getName());
            assertRequirement(webhook, "kubernetes.io/metadata.name", "NotIn", List.of("kube-system", NAMESPACE));
            assertRequirement(webhook, "acr-cache-webhook.io/skip", "NotIn", List.of("true"));
            // exactly what the AKS admissions enforcer appends, so it has nothing to add
            assertRequirement(webhook, "control-plane", "NotIn", List.of("true"));
            assertRequirement(webhook, "kubernetes.azure.com/managedby", "NotIn", List.of("aks"));
        }
        assertRequirement(webhooks.get(ENFORCE), "acr-cache-webhook.io/mode", "NotIn", List.of("audit"));
        assertRequirement(webhooks.get(AUDIT), "acr-cache-webhook.io/mode", "In", List.of("audit"));
    }

    @Test
    void excludedNamespacesFollowTheReleaseNamespaceAndTheExtraList() {
        List<HasMetadata> objects = ChartRenderer.load(ChartRenderer.render(
                values(
                        "excludedNamespaces[0]", "gatekeeper-system",
                        "excludedNamespaces[1]", "webhooks", // the release namespace again: no duplicate
                        "excludedNamespaces[2]", "kube-system"), // kube-system again: no duplicate
                "team-webhook",
                "webhooks"));
        MutatingWebhookConfiguration configuration = ChartRenderer.single(objects, MutatingWebhookConfiguration.class);
        for (MutatingWebhook webhook : configuration.getWebhooks()) {
            assertRequirement(
                    webhook,
                    "kubernetes.io/metadata.name",
                    "NotIn",
                    List.of("kube-system", "webhooks", "gatekeeper-system"));
            assertEquals("webhooks", webhook.getClientConfig().getService().getNamespace());
        }
    }

    @Test
    void noObjectSelectorByDefault() {
        for (MutatingWebhook webhook : configuration(values()).getWebhooks()) {
            assertNull(webhook.getObjectSelector(), webhook.getName());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Exists", "DoesNotExist"})
    void objectSelectorIsPassedThrough(String operator) {
        MutatingWebhookConfiguration configuration = configuration(values(
                "webhook.objectSelector.matchExpressions[0].key", "example.com/no-cache",
                "webhook.objectSelector.matchExpressions[0].operator", operator,
                "webhook.objectSelector.matchLabels.team", "a"));
        for (MutatingWebhook webhook : configuration.getWebhooks()) {
            LabelSelector selector = webhook.getObjectSelector();
            assertEquals(Map.of("team", "a"), selector.getMatchLabels());
            assertEquals(1, selector.getMatchExpressions().size());
            assertEquals(
                    "example.com/no-cache",
                    selector.getMatchExpressions().get(0).getKey());
            assertEquals(operator, selector.getMatchExpressions().get(0).getOperator());
        }
    }
}

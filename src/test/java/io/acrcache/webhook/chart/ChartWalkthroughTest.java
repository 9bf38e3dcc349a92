package io.acrcache.webhook.chart;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingsLoader;
import io.acrcache.webhook.rules.CacheRule;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AKS walk-through of both READMEs, command by command, against what the chart renders for the release and
 * namespace they use: every object a command names exists under that name.
 */
class ChartWalkthroughTest {
    private static final String RELEASE = "acr-cache-webhook";
    private static final String NAMESPACE = "acr-cache-webhook";

    private static String readme(String path) throws Exception {
        return Files.readString(Path.of(path));
    }

    /** The README says this command (line breaks and the shell's continuation folded away). */
    private static void says(String readme, String command) {
        assertTrue(fold(readme).contains(command), "README no longer says: " + command);
    }

    /** The shell's line continuations folded away. */
    private static String fold(String readme) {
        return readme.replaceAll("\\\\\\n\\s*", "");
    }

    private static List<HasMetadata> installed() {
        return ChartRenderer.load(
                ChartRenderer.render(Map.of("acr.loginServer", "myacr.azurecr.io"), RELEASE, NAMESPACE));
    }

    @Test
    void everyObjectTheWalkThroughNamesIsRendered() throws Exception {
        String chart = readme("charts/acr-cache-webhook/README.md");
        String main = readme("README.md");
        List<HasMetadata> objects = installed();

        says(main, "helm install acr-cache-webhook charts/acr-cache-webhook -n acr-cache-webhook --create-namespace");
        says(chart, "kubectl -n acr-cache-webhook rollout status deployment/acr-cache-webhook");
        Deployment deployment = ChartRenderer.named(objects, Deployment.class, "acr-cache-webhook");

        // step 5 builds acr-cache-webhook:0.1.0 in the ACR; the Deployment pulls exactly that
        says(main, "az acr build -r myacr -t acr-cache-webhook:0.1.0 .");
        says(chart, "az acr build -r $ACR -t acr-cache-webhook:0.1.0 .");
        assertEquals(
                "myacr.azurecr.io/acr-cache-webhook:0.1.0",
                deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage());

        says(chart, "kubectl -n acr-cache-webhook port-forward service/acr-cache-webhook-ops 9090:9090");
        Service ops = ChartRenderer.named(objects, Service.class, "acr-cache-webhook-ops");
        assertTrue(ops.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == 9090), "ops Service on 9090");

        says(chart, "kubectl delete mutatingwebhookconfiguration acr-cache-webhook");
        MutatingWebhookConfiguration mwc =
                ChartRenderer.named(objects, MutatingWebhookConfiguration.class, "acr-cache-webhook");

        // step 7's labels route a namespace to audit, or out
        says(chart, "kubectl label namespace acw-demo acr-cache-webhook.io/mode=audit");
        says(chart, "kubectl label namespace acw-demo acr-cache-webhook.io/skip=true");
        for (MutatingWebhook webhook : mwc.getWebhooks()) {
            List<LabelSelectorRequirement> selector =
                    webhook.getNamespaceSelector().getMatchExpressions();
            assertTrue(
                    selector.stream().anyMatch(r -> r.getKey().equals("acr-cache-webhook.io/skip")),
                    webhook.getName() + " leaves out skip=true namespaces");
            assertTrue(
                    selector.stream().anyMatch(r -> r.getKey().equals("acr-cache-webhook.io/mode")),
                    webhook.getName() + " routes by the mode label");
        }

        // step 3 creates the rule docker.io/* -> docker/*; the chart's default rule is that one, named by its source
        says(chart, "az acr cache create -r $ACR -n docker-hub --source-repo 'docker.io/*' --target-repo 'docker/*'");
        LoadedConfig config = SettingsLoader.parse(ChartRenderer.configYaml(objects), "chart config.yaml", Map.of());
        assertEquals(
                List.of(new CacheRule("docker.io/*", "docker.io/*", "docker/*")),
                config.settings().rules());
        assertEquals("myacr.azurecr.io", config.settings().acrLoginServer());

        // step 3's import of the az output
        says(chart, "az acr cache list -r $ACR -o json > rules.json");
        says(chart, "--set-file rulesJson=rules.json");
    }

    /**
     * Between creating the credential set and the cache rule, both READMEs let the credential set's identity read the
     * Key Vault secrets, in both forms: without it the rule's pulls fail as unauthorized.
     */
    @Test
    void theCredentialSetIsGrantedTheKeyVaultSecretsBeforeTheRule() throws Exception {
        for (String path : List.of("README.md", "charts/acr-cache-webhook/README.md")) {
            String folded = fold(readme(path));
            int credentialSet = folded.indexOf("az acr credential-set create");
            int rule = folded.indexOf("az acr cache create");
            assertTrue(credentialSet >= 0 && rule > credentialSet, path);
            String between = folded.substring(credentialSet, rule);
            for (String step : List.of(
                    "--query identity.principalId -o tsv)",
                    "az keyvault set-policy --name ",
                    "--object-id $PRINCIPAL_ID --secret-permissions get",
                    "az role assignment create --role \"Key Vault Secrets User\"",
                    "--assignee-object-id $PRINCIPAL_ID",
                    "--assignee-principal-type ServicePrincipal --scope $(az keyvault show -n ")) {
                assertTrue(between.contains(step), path + " does not say, before the cache rule: " + step);
            }
            assertTrue(
                    Pattern.compile("PRINCIPAL_ID=\\$\\(az acr credential-set show (-r \\S+ -n|-n \\S+ -r) ")
                            .matcher(between)
                            .find(),
                    path + ": how to read the principal id");
        }
    }
}

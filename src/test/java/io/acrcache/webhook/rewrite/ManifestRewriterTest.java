package io.acrcache.webhook.rewrite;

import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.testing.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-document transformation: the webhook's decisions, written into the original text. */
class ManifestRewriterTest {
    private static final String ANNOTATION = AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION;
    private static final LoadedConfig CONFIG = TestConfigs.yaml("""
            acrLoginServer: myacr.azurecr.io
            excludedNamespaces: [kube-system, legacy]
            rules:
              - {source: docker.io/*, target: docker/*}
            """);

    static ManifestRewriter.Result rewrite(String text) throws Exception {
        return new ManifestRewriter(CONFIG).rewrite("in.yaml", text);
    }

    static JsonNode yaml(String text) {
        return new YAMLMapper().readTree(text);
    }

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource({
        "Deployment, apps/v1, spec.template",
        "StatefulSet, apps/v1, spec.template",
        "DaemonSet, apps/v1, spec.template",
        "ReplicaSet, apps/v1, spec.template",
        "Job, batch/v1, spec.template",
        "ReplicationController, v1, spec.template",
        "CronJob, batch/v1, spec.jobTemplate.spec.template",
    })
    void everyWorkloadKindHasItsPodTemplateRewritten(String kind, String apiVersion, String templatePath)
            throws Exception {
        String[] path = templatePath.split("\\.");
        StringBuilder sb =
                new StringBuilder("apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n  name: w\n");
        String indent = "";
        for (String key : path) {
            sb.append(indent).append(key).append(":\n");
            indent += "  ";
        }
        sb.append(indent)
                .append("metadata:\n")
                .append(indent)
                .append("  labels: {app: w}\n")
                .append(indent)
                .append("spec:\n")
                .append(indent)
                .append("  containers:\n")
                .append(indent)
                .append("    - name: app\n")
                .append(indent)
                .append("      image: nginx:1.27 # pinned by ops\n");
        ManifestRewriter.Result r = rewrite(sb.toString());
        JsonNode template = yaml(r.text());
        for (String key : path) {
            template = template.get(key);
        }
        assertEquals(
                "myacr.azurecr.io/docker/library/nginx:1.27",
                template.get("spec").get("containers").get(0).get("image").stringValue());
        assertEquals(
                "{\"containers/app\":\"nginx:1.27\"}",
                template.get("metadata").get("annotations").get(ANNOTATION).stringValue(),
                "the annotation goes on the Pod template, where the Pods get it from");
        assertEquals("w", template.get("metadata").get("labels").get("app").stringValue());
        assertTrue(r.text().contains("image: myacr.azurecr.io/docker/library/nginx:1.27 # pinned by ops\n"), r.text());
        assertEquals(1, r.rewrites().size());
        assertEquals(kind + "/w", r.rewrites().get(0).object());
        assertFalse(r.changed().get(0).reserialized());
    }

    @Test
    void unchangedDocumentsAndEverythingAroundTheEditsStayByteForByte() throws Exception {
        String text = """
                # leading comment
                apiVersion: v1
                kind: ConfigMap   # not a workload
                metadata: {name: settings}
                data:
                  image: nginx:1.27
                ---
                # a Pod, with comments and odd spacing kept
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web     # the name
                  annotations:
                    team: "a"
                spec:
                  containers:
                  - name: web
                    image: "nginx:1.27"     # quoted stays quoted
                  - name: side
                    image: 'busybox:1.36'
                  - name: other
                    image: ghcr.io/org/app:1
                ---
                apiVersion: example.com/v1
                kind: Deployment
                metadata: {name: custom}
                spec: {template: {spec: {containers: [{name: a, image: nginx}]}}}
                """;
        ManifestRewriter.Result r = rewrite(text);
        String expected = text.replace(
                        "    team: \"a\"\n",
                        "    acr-cache-webhook.io/original-images: '{\"containers/side\":\"busybox:1.36\",\"containers/web\":\"nginx:1.27\"}'\n"
                                + "    team: \"a\"\n")
                .replace("image: \"nginx:1.27\"", "image: \"myacr.azurecr.io/docker/library/nginx:1.27\"")
                .replace("image: 'busybox:1.36'", "image: 'myacr.azurecr.io/docker/library/busybox:1.36'");
        assertEquals(expected, r.text());
        assertEquals(3, r.documents());
        assertEquals(
                List.of(2),
                r.changed().stream()
                        .map(ManifestRewriter.ChangedDocument::document)
                        .toList());
    }

    @Test
    void aListHasEachItemRewrittenAndItsOwnNamespaceApplied() throws Exception {
        String text = """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Pod
                  metadata: {name: a, namespace: team}
                  spec:
                    containers:
                    - {name: c, image: redis:7.2}
                - apiVersion: v1
                  kind: Pod
                  metadata:
                    name: b
                    namespace: legacy
                  spec:
                    containers:
                    - name: c
                      image: redis:7.2
                - apiVersion: v1
                  kind: Pod
                  spec:
                    containers:
                    - name: c
                      image: redis:7.2
                """;
        ManifestRewriter.Result r = rewrite(text);
        JsonNode items = yaml(r.text()).get("items");
        assertEquals(
                "myacr.azurecr.io/docker/library/redis:7.2",
                items.get(0).get("spec").get("containers").get(0).get("image").stringValue());
        assertEquals(
                "redis:7.2",
                items.get(1).get("spec").get("containers").get(0).get("image").stringValue());
        assertEquals(
                "myacr.azurecr.io/docker/library/redis:7.2",
                items.get(2).get("spec").get("containers").get(0).get("image").stringValue());
        assertEquals(
                "{\"containers/c\":\"redis:7.2\"}",
                items.get(2).get("metadata").get("annotations").get(ANNOTATION).stringValue());
        assertEquals(
                List.of("Pod/a", "Pod/?"),
                r.rewrites().stream().map(ManifestRewriter.Finding::object).toList());
        assertFalse(r.changed().get(0).reserialized(), r.text());
    }

    @Test
    void theWebhooksSkipsApplyOptOutOnTheTemplatePullPolicyNeverNoRuleAlreadyCached() throws Exception {
        String text = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: skipped}
                spec:
                  template:
                    metadata:
                      annotations:
                        acr-cache-webhook.io/skip: "true"
                    spec:
                      containers: [{name: a, image: nginx}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  initContainers:
                  - {name: never, image: busybox, imagePullPolicy: Never}
                  containers:
                  - {name: ghcr, image: ghcr.io/org/app:1}
                  - {name: acr, image: myacr.azurecr.io/docker/library/nginx:1.27}
                """;
        ManifestRewriter.Result r = rewrite(text);
        assertEquals(text, r.text());
        assertTrue(r.rewrites().isEmpty());
        assertTrue(r.notes().isEmpty());
    }

    @Test
    void anOptOutOnTheDeploymentItselfIsNotWhereTheWebhookLooks() throws Exception {
        String text = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: d
                  annotations: {acr-cache-webhook.io/skip: "true"}
                spec:
                  template:
                    spec:
                      containers: [{name: a, image: nginx}]
                """;
        assertEquals(1, rewrite(text).rewrites().size(), "the Pods do not inherit the Deployment's annotations");
    }

    @Test
    void anInvalidImageIsLeftAsWrittenAndReported() throws Exception {
        String text = """
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                  - {name: bad, image: "NGINX:latest"}
                """;
        ManifestRewriter.Result r = rewrite(text);
        assertEquals(text, r.text());
        assertEquals(1, r.notes().size());
        assertEquals(ManifestRewriter.INVALID, r.notes().get(0).leftAlone());
        assertEquals("containers/bad", r.notes().get(0).container());
    }

    @Test
    void jsonStaysJson() throws Exception {
        String text = """
                {
                  "apiVersion": "apps/v1",
                  "kind": "Deployment",
                  "metadata": {"name": "j"},
                  "spec": {"template": {"metadata": {}, "spec": {"containers": [
                    {"name": "app", "image": "nginx:1.27"}
                  ]}}}
                }
                """;
        ManifestRewriter.Result r = rewrite(text);
        JsonNode out = JsonMapper.builder().build().readTree(r.text());
        JsonNode template = out.get("spec").get("template");
        assertEquals(
                "myacr.azurecr.io/docker/library/nginx:1.27",
                template.get("spec").get("containers").get(0).get("image").stringValue());
        assertEquals(
                "{\"containers/app\":\"nginx:1.27\"}",
                template.get("metadata").get("annotations").get(ANNOTATION).stringValue());
        assertFalse(r.changed().get(0).reserialized());
    }

    @Test
    void anExistingRecordThatDoesNotHoldIsReplacedAsTheWebhookReplacesIt() throws Exception {
        String text = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  annotations:
                    acr-cache-webhook.io/original-images: '{"containers/a":"nginx:1.25"}'
                spec:
                  containers:
                  - {name: a, image: nginx:1.27}
                """;
        JsonNode out = yaml(rewrite(text).text());
        // nginx:1.25 through the cache is not what the container names: the record says what was really rewritten
        assertEquals(
                "{\"containers/a\":\"nginx:1.27\"}",
                out.get("metadata").get("annotations").get(ANNOTATION).stringValue());
    }

    @Test
    void shapesATextEditCannotReachAreWrittenAnew() throws Exception {
        String text = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  annotations:
                spec:
                  containers:
                  - {name: a, image: nginx}
                """;
        ManifestRewriter.Result r = rewrite(text);
        assertTrue(r.changed().get(0).reserialized());
        JsonNode out = yaml(r.text());
        assertEquals(
                "{\"containers/a\":\"nginx\"}",
                out.get("metadata").get("annotations").get(ANNOTATION).stringValue());
        assertEquals(
                "myacr.azurecr.io/docker/library/nginx",
                out.get("spec").get("containers").get(0).get("image").stringValue());
    }

    @Test
    void documentsWithAnchorsAreLeftAsWrittenAndReported() throws Exception {
        String text = """
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  containers:
                  - {name: a, image: &img nginx}
                  - {name: b, image: *img}
                """;
        ManifestRewriter.Result r = rewrite(text);
        assertEquals(text, r.text());
        assertTrue(r.rewrites().isEmpty());
        assertEquals(2, r.notes().size());
        assertEquals(ManifestRewriter.ANCHORS, r.notes().get(0).leftAlone());
    }

    @Test
    void windowsLineEndingsAreKept() throws Exception {
        String text = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers:\r\n"
                + "  - name: a\r\n    image: nginx\r\n";
        ManifestRewriter.Result r = rewrite(text);
        assertFalse(r.text().replace("\r\n", "").contains("\n"), r.text());
        assertFalse(r.changed().get(0).reserialized());
    }

    @Test
    void unusualButValidYamlComesOutValidWithEveryPodRewritten() throws Exception {
        String text = """
                %YAML 1.2
                ---
                # only a comment
                ---
                --- {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, image: nginx}]}}
                ...
                ---
                  apiVersion: v1
                  kind: Pod
                  metadata:
                    name: indented
                  spec:
                    containers:
                      - name: c
                        image: >-
                          nginx
                ---
                  apiVersion: v1
                  kind: Pod
                  metadata:
                    name: indented-written-anew
                    annotations:
                  spec:
                    containers:
                      - name: c
                        image: nginx
                ---
                apiVersion: v1
                kind: Pod
                metadata: !!map
                  name: tagged
                spec:
                  containers:
                  - name: c
                    image: !!str nginx
                """;
        ManifestRewriter.Result r = rewrite(text);
        List<JsonNode> docs = new ArrayList<>();
        try (var it = new YAMLMapper().readerFor(JsonNode.class).readValues(r.text())) {
            while (it.hasNext()) {
                docs.add((JsonNode) it.next());
            }
        }
        List<String> names = new ArrayList<>();
        for (JsonNode doc : docs) {
            if (doc == null || !doc.isObject()) {
                continue;
            }
            names.add(doc.get("metadata").get("name").stringValue());
            assertEquals(
                    "myacr.azurecr.io/docker/library/nginx",
                    doc.get("spec").get("containers").get(0).get("image").stringValue(),
                    r.text());
            assertEquals(
                    "{\"containers/c\":\"nginx\"}",
                    doc.get("metadata").get("annotations").get(ANNOTATION).stringValue());
        }
        assertEquals(List.of("a", "indented", "indented-written-anew", "tagged"), names);
        assertEquals(
                List.of(false, false, true, false),
                r.changed().stream()
                        .map(ManifestRewriter.ChangedDocument::reserialized)
                        .toList());
        assertTrue(r.text().startsWith("%YAML 1.2\n---\n# only a comment\n---\n--- {apiVersion: v1"), r.text());
    }

    @Test
    void charactersBeyondTheBasicPlaneDoNotShiftTheEdits() throws Exception {
        String pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p # \uD83D\uDE00 caf\u00e9\nspec:\n"
                + "  containers:\n  - name: a # \uD83D\uDE80\n    image: nginx\n";
        ManifestRewriter.Result r = rewrite("\uFEFF" + pod + "---\n" + pod.replace("nginx", "redis"));
        assertTrue(r.text().contains("image: myacr.azurecr.io/docker/library/nginx\n"), r.text());
        assertTrue(r.text().contains("image: myacr.azurecr.io/docker/library/redis\n"), r.text());
        assertTrue(r.text().contains("  name: p # \uD83D\uDE00 caf\u00e9\n"), r.text());
        assertTrue(r.changed().stream().noneMatch(ManifestRewriter.ChangedDocument::reserialized));
    }

    @Test
    void aDocumentNeitherAnEditNorANewWritingCanChangeIsLeftAlone() {
        // the guard behind UNEDITABLE: text the check cannot read gives no change at all
        assertEquals(null, Documents.apply("a: [unclosed", 0, "", List.of(), List.of(), false));
    }

    @Test
    void duplicateKeysAreRefusedAsKubectlRefusesThem() {
        String text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                + "  - name: a\n    image: nginx\n    image: redis\n";
        ManifestRewriter.BadDocumentException e =
                assertThrows(ManifestRewriter.BadDocumentException.class, () -> rewrite(text));
        assertTrue(e.getMessage().contains("image"), e.getMessage());
    }

    @Test
    void aDocumentThatIsNotYamlIsAnErrorNamingTheSourceAndDocument() {
        String text = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: fine}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: [unclosed
                """;
        ManifestRewriter.BadDocumentException e =
                assertThrows(ManifestRewriter.BadDocumentException.class, () -> rewrite(text));
        assertEquals(2, e.document());
        assertTrue(e.getMessage().startsWith("in.yaml: document 2: not YAML or JSON: "), e.getMessage());
        assertTrue(e.getMessage().contains("(line "), e.getMessage());
    }
}

package io.acrcache.webhook.chart;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Renders the Helm chart {@code charts/acr-cache-webhook} with the real Helm (helm-java's bundled native library) and
 * loads the result into Fabric8 typed objects, refusing any field the typed model does not know.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * List<HasMetadata> objects = ChartRenderer.objects(ChartRenderer.values("webhook.failurePolicy", "Fail"));
 * Deployment deployment = ChartRenderer.single(objects, Deployment.class);
 * String configYaml = ChartRenderer.configYaml(objects); // what the server reads
 * }</pre>
 *
 * <p>{@link #render(Map)} and {@link #objects(Map)} use exactly the {@code --set} values they are given;
 * {@link #values(String...)} starts from {@link #defaults()} (the required {@code acr.loginServer}) so tests only spell
 * out what they change.
 *
 * <p>Helm-java passes every {@code --set} value as a literal (commas, dots and braces are escaped), so set list items
 * by index: {@code excludedNamespaces[0]=team-a}.
 *
 * <p>The chart's {@code lookup} calls reach an in-process fake API server (never a real cluster): by default it knows
 * no object, which renders a first install; {@link #render(Map, List)} and {@link #notes(Map, List)} make Secrets
 * "exist" to render an upgrade. This needs surefire's {@code KUBECONFIG=target/chart-tests/kubeconfig} (pom.xml); see
 * {@code startFakeApiServer}.
 */
public final class ChartRenderer {

    /** Release name used by every render. */
    public static final String RELEASE_NAME = "acw";
    /** Release namespace used by every render (deliberately not the chart name). */
    public static final String NAMESPACE = "acw-system";
    /** Login server used by {@link #defaults()}. */
    public static final String LOGIN_SERVER = "myacr.azurecr.io";
    /** Full name the chart derives from {@link #RELEASE_NAME}. */
    public static final String FULLNAME = RELEASE_NAME + "-acr-cache-webhook";
    /** The chart directory. */
    public static final Path CHART_DIR = locateChart();

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*$");
    /** Answers the chart's {@code lookup} calls: see {@link #startFakeApiServer()}. */
    private static final FakeKubeApiServer API_SERVER = startFakeApiServer();

    private static List<String> lastLookups = List.of();

    private ChartRenderer() {}

    /** The values every render needs: just {@code acr.loginServer}. */
    public static Map<String, String> defaults() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("acr.loginServer", LOGIN_SERVER);
        return values;
    }

    /** {@link #defaults()} plus the given key/value pairs (later pairs win). */
    public static Map<String, String> values(String... keyValuePairs) {
        if (keyValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("values(...) takes key/value pairs, got an odd count");
        }
        Map<String, String> values = defaults();
        for (int i = 0; i < keyValuePairs.length; i += 2) {
            values.put(keyValuePairs[i], keyValuePairs[i + 1]);
        }
        return values;
    }

    /**
     * {@code helm template} of the chart with exactly these {@code --set} values.
     *
     * @throws ChartRenderException with Helm's message when Helm refuses the values or the templates fail
     */
    public static String render(Map<String, String> setValues) {
        return render(setValues, RELEASE_NAME, NAMESPACE);
    }

    /**
     * {@link #render(Map)} as if these Secrets existed in the cluster: the chart's {@code lookup} finds them (an
     * upgrade). Without them every {@code lookup} finds nothing (a first install).
     */
    public static synchronized String render(Map<String, String> setValues, List<Secret> clusterSecrets) {
        API_SERVER.clear();
        clusterSecrets.forEach(API_SERVER::putSecret);
        try {
            return render(setValues, RELEASE_NAME, NAMESPACE);
        } finally {
            API_SERVER.clear();
        }
    }

    /**
     * Requests ("GET /api/v1/namespaces/ns/secrets/name") the chart's {@code lookup} calls made during the last render.
     */
    public static synchronized List<String> lastLookups() {
        return List.copyOf(lastLookups);
    }

    /**
     * {@link #render(Map)} with a values file too ({@code -f FILE}; also how a test passes a string that {@code --set}
     * would split at commas, as {@code --set-file} passes it).
     */
    public static synchronized String render(Map<String, String> setValues, Path valuesFile) {
        TemplateCommand command = new Helm(CHART_DIR)
                .template()
                .withName(RELEASE_NAME)
                .withNamespace(NAMESPACE)
                .withValuesFile(valuesFile);
        setValues.forEach(command::set);
        try {
            return command.call();
        } catch (IllegalStateException e) {
            throw new ChartRenderException(e.getMessage(), e);
        }
    }

    /** {@link #render(Map)} with another release name and namespace. */
    public static synchronized String render(Map<String, String> setValues, String releaseName, String namespace) {
        TemplateCommand command =
                new Helm(CHART_DIR).template().withName(releaseName).withNamespace(namespace);
        setValues.forEach(command::set);
        int before = API_SERVER.requests().size();
        try {
            return command.call();
        } catch (IllegalStateException e) {
            throw new ChartRenderException(e.getMessage(), e);
        } finally {
            List<String> all = API_SERVER.requests();
            lastLookups = all.subList(Math.min(before, all.size()), all.size()).stream()
                    .filter(r -> r.contains("/secrets/"))
                    .collect(Collectors.toList());
        }
    }

    /**
     * The NOTES Helm prints after {@code helm install} with these values, as if these Secrets existed in the cluster (a
     * client-only dry-run install: nothing is sent to any cluster).
     */
    public static synchronized String notes(Map<String, String> setValues, List<Secret> clusterSecrets) {
        API_SERVER.clear();
        clusterSecrets.forEach(API_SERVER::putSecret);
        InstallCommand command = new Helm(CHART_DIR)
                .install()
                .withName(RELEASE_NAME)
                .withNamespace(NAMESPACE)
                .clientOnly()
                .dryRun();
        setValues.forEach(command::set);
        try {
            String output = command.call().getOutput();
            int start = output.indexOf("NOTES:\n");
            if (start < 0) {
                throw new AssertionError("helm install printed no NOTES:\n" + output);
            }
            return output.substring(start + "NOTES:\n".length());
        } catch (IllegalStateException e) {
            throw new ChartRenderException(e.getMessage(), e);
        } finally {
            API_SERVER.clear();
        }
    }

    /** {@link #render(Map)} loaded with {@link #load(String)}. */
    public static List<HasMetadata> objects(Map<String, String> setValues) {
        return load(render(setValues));
    }

    /** {@code config.yaml} of the rendered ConfigMap: the file the server reads. */
    public static String configYaml(List<HasMetadata> objects) {
        List<String> files = all(objects, ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().endsWith("-config"))
                .map(c -> c.getData() == null ? null : c.getData().get("config.yaml"))
                .filter(Objects::nonNull)
                .collect(Collectors.toList());
        if (files.size() != 1) {
            throw new AssertionError(
                    "expected one <fullname>-config ConfigMap with config.yaml, found " + files.size());
        }
        return files.get(0);
    }

    /** {@code config.yaml} the chart renders for these {@code --set} values. */
    public static String renderConfigYaml(Map<String, String> setValues) {
        return configYaml(objects(setValues));
    }

    /**
     * {@code helm lint --strict} of a copy of the chart whose values.yaml sets {@code acr.loginServer} (helm-java's
     * lint takes no {@code --set}).
     */
    public static synchronized LintResult lint(String loginServer) {
        Path copy = copyChart();
        Path valuesFile = copy.resolve("values.yaml");
        try {
            String values = Files.readString(valuesFile);
            String placeholder = "  # loginServer: myacr.azurecr.io\n  {}\n";
            if (!values.contains(placeholder)) {
                throw new IllegalStateException("values.yaml no longer has the acr.loginServer placeholder");
            }
            Files.writeString(valuesFile, values.replace(placeholder, "  loginServer: " + loginServer + "\n"));
            return new Helm(copy).lint().strict().call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads multi-document YAML into Fabric8 objects: typed models for Kubernetes kinds,
     * {@link GenericKubernetesResource} for custom resources. A field the typed model does not know (which Fabric8
     * would otherwise keep quietly in {@code additionalProperties}) is an error.
     *
     * @throws UnknownFieldException naming every unknown field with its path
     */
    public static List<HasMetadata> load(String multiDocumentYaml) {
        List<HasMetadata> objects = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(multiDocumentYaml)) {
            if (isBlank(document)) {
                continue;
            }
            KubernetesResource resource = SERIALIZATION.unmarshal(document, KubernetesResource.class);
            if (!(resource instanceof HasMetadata object)) {
                throw new IllegalArgumentException("not a Kubernetes object:\n" + document);
            }
            String where = object.getKind() + "/" + object.getMetadata().getName();
            collectUnknownFields(object, where, problems);
            objects.add(object);
        }
        if (!problems.isEmpty()) {
            throw new UnknownFieldException(problems);
        }
        return Collections.unmodifiableList(objects);
    }

    /** Every object of this type. */
    public static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    /** The only object of this type; fails when there is none or more than one. */
    public static <T extends HasMetadata> T single(List<HasMetadata> objects, Class<T> type) {
        List<T> found = all(objects, type);
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    /** The object of this type with this name. */
    public static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        return all(objects, type).stream()
                .filter(o -> name.equals(o.getMetadata().getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
    }

    /** Every custom resource (loaded as {@link GenericKubernetesResource}) of this kind. */
    public static List<GenericKubernetesResource> custom(List<HasMetadata> objects, String kind) {
        return all(objects, GenericKubernetesResource.class).stream()
                .filter(o -> kind.equals(o.getKind()))
                .collect(Collectors.toList());
    }

    /** Helm refused to render: the message is Helm's. */
    public static final class ChartRenderException extends RuntimeException {
        ChartRenderException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The rendered YAML has fields the typed Kubernetes model does not know. */
    public static final class UnknownFieldException extends RuntimeException {
        private final List<String> problems;

        UnknownFieldException(List<String> problems) {
            super("unknown fields in rendered objects:\n  " + String.join("\n  ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    // --- unknown-field detection -------------------------------------------------------------

    /*
     * Fabric8 models catch unknown JSON properties with @JsonAnySetter into additionalProperties, so
     * FAIL_ON_UNKNOWN_PROPERTIES never fires for them. Instead walk the object tree through its
     * @JsonProperty fields and report every non-empty additionalProperties. A
     * GenericKubernetesResource keeps its whole body there by design: only its metadata is checked.
     */
    private static void collectUnknownFields(Object node, String path, List<String> problems) {
        if (node == null) {
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collectUnknownFields(v, path + "[" + k + "]", problems));
            return;
        }
        if (node instanceof Collection<?> collection) {
            int index = 0;
            for (Object item : collection) {
                collectUnknownFields(item, path + "[" + index++ + "]", problems);
            }
            return;
        }
        Class<?> type = node.getClass();
        if (!type.getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                if (field.getName().equals("additionalProperties")) {
                    if (!(node instanceof GenericKubernetesResource)) {
                        Map<?, ?> extra = (Map<?, ?>) read(field, node);
                        if (extra != null && !extra.isEmpty()) {
                            problems.add(path + ": unknown field(s) " + extra.keySet());
                        }
                    }
                    continue;
                }
                JsonProperty property = field.getAnnotation(JsonProperty.class);
                if (property != null) {
                    String name = property.value().isEmpty() ? field.getName() : property.value();
                    collectUnknownFields(read(field, node), path + "." + name, problems);
                }
            }
        }
    }

    private static Object read(Field field, Object owner) {
        try {
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + field, e);
        }
    }

    private static boolean isBlank(String document) {
        return document.lines().map(String::strip).allMatch(line -> line.isEmpty() || line.startsWith("#"));
    }

    // --- the fake API server behind lookup ------------------------------------------------------

    /** Where surefire's KUBECONFIG (see pom.xml) points; the only file this class writes to. */
    static final String KUBECONFIG_SUFFIX = "target/chart-tests/kubeconfig";

    /*
     * helm-java 0.0.17 renders `template` with dry-run option "none", so Helm's lookup function talks
     * to the cluster of the current kubeconfig: ~/.kube/config on a developer machine (a real
     * cluster!), or localhost:8080 and a connection error in CI. The Go code reads the environment
     * the JVM was started with (setting it later has no effect), so surefire sets KUBECONFIG to a
     * file under target/ and this class writes a kubeconfig there that points at a fake API server,
     * before the first Helm call. Anything else in KUBECONFIG is refused rather than overwritten.
     */
    private static FakeKubeApiServer startFakeApiServer() {
        String kubeconfig = System.getenv("KUBECONFIG");
        if (kubeconfig == null || !kubeconfig.replace('\\', '/').endsWith(KUBECONFIG_SUFFIX)) {
            throw new IllegalStateException("chart tests need KUBECONFIG=<project>/"
                    + KUBECONFIG_SUFFIX
                    + " (set by surefire in pom.xml; set it yourself when running from an IDE), so"
                    + " that Helm's lookup reaches a fake API server and never a real cluster; got "
                    + kubeconfig);
        }
        FakeKubeApiServer server = new FakeKubeApiServer();
        server.writeKubeconfig(Path.of(kubeconfig));
        return server;
    }

    // --- files ---------------------------------------------------------------------------------

    private static Path locateChart() {
        Path base = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        Path chart = base.resolve("charts/acr-cache-webhook");
        if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
            throw new IllegalStateException("chart not found at " + chart);
        }
        return chart;
    }

    private static Path copyChart() {
        try {
            Path target = Files.createTempDirectory("acw-chart-").resolve("acr-cache-webhook");
            try (Stream<Path> files = Files.walk(CHART_DIR)) {
                for (Path source : (Iterable<Path>) files::iterator) {
                    Path destination =
                            target.resolve(CHART_DIR.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(destination);
                    } else {
                        Files.copy(source, destination, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.acrcache.webhook.rewrite;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

import java.util.List;

import static io.acrcache.webhook.rewrite.ManifestRewriter.get;
import static io.acrcache.webhook.rewrite.ManifestRewriter.str;

/** Where the Pod (template) of each workload kind is, the way its controller finds it. */
final class Workloads {

    /**
     * @param pod the mapping with the Pod's {@code metadata} and {@code spec}
     * @param path its path from the object, for the check of the edited text
     */
    record Template(MappingNode pod, List<Object> path) {}

    private Workloads() {}

    /** The object's Pod template, or null when the object is not a known workload or has no template mapping. */
    static Template template(MappingNode object) {
        String kind = str(get(object, "kind"));
        String apiVersion = str(get(object, "apiVersion"));
        if (kind == null || apiVersion == null) {
            return null;
        }
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        // the group as well as the kind: a custom resource may well be called Deployment
        return switch (kind) {
            case "Pod" -> group.isEmpty() ? new Template(object, List.of()) : null;
            case "ReplicationController" -> group.isEmpty() ? at(object, "spec", "template") : null;
            case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet" ->
                group.equals("apps") || group.equals("extensions") ? at(object, "spec", "template") : null;
            case "Job" -> group.equals("batch") ? at(object, "spec", "template") : null;
            case "CronJob" -> group.equals("batch") ? at(object, "spec", "jobTemplate", "spec", "template") : null;
            default -> null;
        };
    }

    private static Template at(MappingNode object, String... path) {
        Node node = object;
        for (String key : path) {
            node = get(node, key);
        }
        return node instanceof MappingNode m ? new Template(m, List.of((Object[]) path)) : null;
    }

    /** {@code Kind/name} for reports ({@code ?} for what is missing). */
    static String label(MappingNode object) {
        String kind = str(get(object, "kind"));
        Node metadata = get(object, "metadata");
        String name = str(get(metadata, "name"));
        if (name == null && str(get(metadata, "generateName")) != null) {
            name = str(get(metadata, "generateName")) + "*";
        }
        return (kind == null ? "?" : kind) + "/" + (name == null ? "?" : name);
    }
}

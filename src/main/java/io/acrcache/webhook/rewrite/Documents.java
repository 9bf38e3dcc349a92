package io.acrcache.webhook.rewrite;

import io.acrcache.webhook.admission.AdmissionReviewHandler;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

import static io.acrcache.webhook.rewrite.ManifestRewriter.get;

/** Text edits of one YAML or JSON document, and the check that they give exactly the intended objects. */
final class Documents {
    private static final String KEY = AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION;
    /** What a plain YAML scalar may hold here and still read back as the same string in every YAML version. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9._/:@+\\-]*");

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A string to set at a path of keys (String) and list indexes (Integer). */
    record PathValue(List<Object> path, String value) {}

    /**
     * A document's new text, whether it had to be written anew, and where in the whole text it starts replacing (up to
     * the document's end).
     */
    record Applied(String text, boolean reserialized, int from) {}

    private Documents() {}

    /** The image scalar replaced, in the style it was written in where that is safe. */
    static ManifestRewriter.TextEdit replaceScalar(
            PodViews.ImageSlot slot, String value, String whole, ManifestRewriter.Offsets offsets) {
        ScalarNode node = slot.node();
        String text;
        ScalarStyle style = node.getScalarStyle();
        if (style == ScalarStyle.SINGLE_QUOTED) {
            text = singleQuoted(value);
        } else if (style == ScalarStyle.PLAIN
                && !slot.flow()
                && PLAIN.matcher(value).matches()) {
            text = value;
        } else {
            text = doubleQuoted(value);
        }
        int start = offsets.of(node.getStartMark().orElseThrow());
        int end = offsets.of(node.getEndMark().orElseThrow());
        // a block scalar (| or >) ends after its line breaks: they stay
        while (end > start && Character.isWhitespace(whole.charAt(end - 1))) {
            end--;
        }
        return new ManifestRewriter.TextEdit(start, end, text);
    }

    /**
     * Edits that set the original-images annotation in a Pod (template) mapping: the value replaced when the key is
     * there, else a new entry in the innermost mapping that exists. Other shapes get no edit (the check then finds the
     * difference and the document is written anew).
     */
    static void annotate(
            MappingNode pod,
            String value,
            String text,
            ManifestRewriter.Offsets offsets,
            List<ManifestRewriter.TextEdit> edits) {
        Node metadata = get(pod, "metadata");
        if (metadata == null) {
            insert(pod, List.of("metadata", "annotations", KEY), value, text, offsets, edits);
            return;
        }
        if (!(metadata instanceof MappingNode m)) {
            return;
        }
        Node annotations = get(m, "annotations");
        if (annotations == null) {
            insert(m, List.of("annotations", KEY), value, text, offsets, edits);
            return;
        }
        if (!(annotations instanceof MappingNode a)) {
            return;
        }
        Node existing = get(a, KEY);
        if (existing == null) {
            insert(a, List.of(KEY), value, text, offsets, edits);
        } else if (existing instanceof ScalarNode s) {
            boolean flow = a.getFlowStyle() == FlowStyle.FLOW;
            edits.add(new ManifestRewriter.TextEdit(
                    offsets.of(s.getStartMark().orElseThrow()),
                    offsets.of(s.getEndMark().orElseThrow()),
                    flow ? doubleQuoted(value) : singleQuoted(value)));
        }
    }

    /** A new first entry {@code keys[0]} of {@code mapping}, nesting the other keys, with the string value. */
    private static void insert(
            MappingNode mapping,
            List<String> keys,
            String value,
            String text,
            ManifestRewriter.Offsets offsets,
            List<ManifestRewriter.TextEdit> edits) {
        if (mapping.getFlowStyle() == FlowStyle.FLOW) {
            int at = offsets.of(mapping.getStartMark().orElseThrow());
            if (at >= text.length() || text.charAt(at) != '{') {
                return;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < keys.size(); i++) {
                sb.append(i == 0 ? "" : "{").append(doubleQuoted(keys.get(i))).append(": ");
            }
            sb.append(doubleQuoted(value)).append("}".repeat(keys.size() - 1));
            if (!mapping.getValue().isEmpty()) {
                sb.append(", ");
            }
            edits.add(new ManifestRewriter.TextEdit(at + 1, at + 1, sb.toString()));
            return;
        }
        if (mapping.getValue().isEmpty()) {
            return;
        }
        // before the first key, at its column; the first key moves to the next line at the same column
        Node first = mapping.getValue().get(0).getKeyNode();
        int column = first.getStartMark().orElseThrow().getColumn();
        int at = offsets.of(first.getStartMark().orElseThrow());
        String nl = text.contains("\r\n") ? "\r\n" : "\n";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) {
                sb.append(nl).append(" ".repeat(column + 2 * i));
            }
            sb.append(plainOrQuoted(keys.get(i))).append(':');
        }
        sb.append(' ').append(singleQuoted(value)).append(nl).append(" ".repeat(column));
        edits.add(new ManifestRewriter.TextEdit(at, at, sb.toString()));
    }

    /**
     * The document with its edits, if it then reads back as exactly the original objects with the changes set; else
     * those objects written anew (YAML, or JSON when the document was a JSON object or does not start its line), if
     * that reads back right; else null: the document cannot be changed safely.
     *
     * @param before the document's text, from its root node's start to its end
     * @param start where {@code before} starts in the whole text (edits are in whole-text offsets)
     * @param prefix the text between the start of the line and {@code start} (indentation, or {@code --- })
     */
    static Applied apply(
            String before,
            int start,
            String prefix,
            List<ManifestRewriter.TextEdit> edits,
            List<PathValue> changes,
            boolean json) {
        // read at the same columns as in the file, so an indented document reads as it does there
        String pad = " ".repeat(prefix.length());
        JsonNode expected;
        try {
            expected = YAML.readTree(pad + before);
            for (PathValue change : changes) {
                set(expected, change.path(), change.value());
            }
        } catch (RuntimeException e) {
            return null;
        }
        List<ManifestRewriter.TextEdit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(ManifestRewriter.TextEdit::start));
        StringBuilder sb = new StringBuilder(before.length() + 128);
        int at = 0;
        for (ManifestRewriter.TextEdit e : sorted) {
            sb.append(before, at, e.start() - start).append(e.text());
            at = e.end() - start;
        }
        sb.append(before.substring(at));
        String after = sb.toString();
        if (trailingSpace(after).equals(trailingSpace(before)) && readsAs(pad + after, expected)) {
            return new Applied(after, false, start);
        }
        boolean block = !json && prefix.isBlank();
        String written = block
                ? YAML.writeValueAsString(expected)
                : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(expected);
        if (!readsAs(block ? written : pad + written, expected)) {
            return null;
        }
        // a block document replaces its indentation too: written anew, it starts at column 0
        return new Applied(written, true, block ? start - prefix.length() : start);
    }

    /** The line breaks and spaces a text ends with: what joins it to the next document. */
    private static String trailingSpace(String s) {
        int i = s.length();
        while (i > 0 && Character.isWhitespace(s.charAt(i - 1))) {
            i--;
        }
        return s.substring(i);
    }

    private static boolean readsAs(String text, JsonNode expected) {
        try {
            return expected.equals(YAML.readTree(text));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void set(JsonNode root, List<Object> path, String value) {
        JsonNode node = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object step = path.get(i);
            if (step instanceof Integer index) {
                node = ((ArrayNode) node).get(index);
            } else {
                ObjectNode object = (ObjectNode) node;
                JsonNode child = object.get((String) step);
                boolean wantsArray = path.get(i + 1) instanceof Integer;
                if (child == null || (!wantsArray && !child.isObject())) {
                    child = object.putObject((String) step);
                }
                node = child;
            }
        }
        ((ObjectNode) node).put((String) path.get(path.size() - 1), value);
    }

    /** Whether any node of the document carries an anchor (an edit there could show up under its aliases too). */
    static boolean hasAnchors(Node node) {
        if (node.getAnchor().isPresent()) {
            return true;
        }
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (hasAnchors(t.getKeyNode()) || hasAnchors(t.getValueNode())) {
                    return true;
                }
            }
        } else if (node instanceof SequenceNode s) {
            for (Node n : s.getValue()) {
                if (hasAnchors(n)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String plainOrQuoted(String s) {
        return PLAIN.matcher(s).matches() ? s : doubleQuoted(s);
    }

    static String singleQuoted(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    static String doubleQuoted(String s) {
        return JSON.writeValueAsString(s);
    }
}

package io.acrcache.webhook.rewrite;

import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.ContainerKind;
import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.PatchBuilder;
import io.acrcache.webhook.admission.PodPlan;
import io.acrcache.webhook.admission.PodPlanner;
import io.acrcache.webhook.admission.PodView;
import io.acrcache.webhook.admission.SkipReason;
import io.acrcache.webhook.config.LoadedConfig;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The webhook's decisions applied to manifests instead of Pods. Pure: text in, text out. Every Pod template of a known
 * workload kind is planned by {@link PodPlanner} exactly as the webhook plans the Pod made from it, and the result is
 * written by editing only the image scalars (and adding the original-images annotation) in the original text, so
 * everything else, comments included, stays byte for byte. Each changed document is re-read and compared with the
 * expected objects; where a text edit would not give them (unusual YAML shapes) that one document is re-serialized.
 */
public final class ManifestRewriter {

    /**
     * One image worth reporting: a rewrite ({@code to} set), or an image left as written ({@code leftAlone} says why:
     * an invalid reference, or YAML anchors in its document).
     *
     * @param container {@code containers/NAME}, {@code initContainers/NAME} or {@code ephemeralContainers/NAME}
     */
    public record Finding(
            String source, int document, String object, String container, String from, String to, String leftAlone) {

        public boolean isRewrite() {
            return to != null;
        }
    }

    /**
     * A document that changed, as written before and after (for {@code --diff}).
     *
     * @param line the 1-based line of the input where the document's content starts
     * @param reserialized whether the document had to be written anew (comments and layout lost)
     */
    public record ChangedDocument(
            String source, int document, String object, int line, String before, String after, boolean reserialized) {}

    /**
     * The rewritten text and what was done.
     *
     * @param notes images left alone that the user should know about: invalid references, and images in documents whose
     *     YAML uses anchors (left as written: an edit there could change other fields too)
     * @param documents how many documents were read
     */
    public record Result(
            String text, List<Finding> rewrites, List<Finding> notes, List<ChangedDocument> changed, int documents) {}

    /** A document that is neither YAML nor JSON. */
    public static final class BadDocumentException extends Exception {
        private final String source;
        private final int document;

        BadDocumentException(String source, int document, String message) {
            super(source + ": document " + document + ": not YAML or JSON: " + message);
            this.source = source;
            this.document = document;
        }

        public String source() {
            return source;
        }

        public int document() {
            return document;
        }
    }

    /** {@link Finding#leftAlone()} for an invalid image reference. */
    public static final String INVALID = "invalid reference";
    /** {@link Finding#leftAlone()} for an image in a document that neither an edit nor a new writing can change. */
    public static final String UNEDITABLE = "this document cannot be changed safely";
    /** {@link Finding#leftAlone()} for an image in a document with YAML anchors. */
    public static final String ANCHORS = "YAML anchors in this document";

    private final LoadedConfig config;

    public ManifestRewriter(LoadedConfig config) {
        this.config = config;
    }

    /**
     * @param source the name reported in findings and errors (a file name, or {@code <stdin>})
     * @throws BadDocumentException naming the first document that is not YAML or JSON
     */
    public Result rewrite(String source, String text) throws BadDocumentException {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(source)
                .setUseMarks(true)
                .setCodePointLimit(Integer.MAX_VALUE)
                .build();
        Iterator<Node> documents =
                new Compose(settings).composeAllFromString(text).iterator();
        Offsets offsets = new Offsets(text);
        List<Finding> rewrites = new ArrayList<>();
        List<Finding> notes = new ArrayList<>();
        List<ChangedDocument> changed = new ArrayList<>();
        List<TextEdit> replacements = new ArrayList<>();
        int number = 0;
        while (true) {
            Node root;
            try {
                if (!documents.hasNext()) {
                    break;
                }
                root = documents.next();
            } catch (YamlEngineException e) {
                throw new BadDocumentException(source, number + 1, describe(e));
            }
            number++;
            String duplicate = duplicateKey(root, Collections.newSetFromMap(new IdentityHashMap<>()));
            if (duplicate != null) {
                // kubectl refuses them too; which of the values would count is not ours to guess
                throw new BadDocumentException(source, number, duplicate);
            }
            DocumentEdit edit = new DocumentRewrite(config, source, number, root, text, offsets).run();
            if (edit.anchored()) {
                notes.addAll(unchanged(edit.findings(), ANCHORS));
                continue;
            }
            if (edit.edits().isEmpty()) {
                notes.addAll(edit.findings());
                continue;
            }
            int start = offsets.of(root.getStartMark().orElseThrow());
            int end = offsets.of(root.getEndMark().orElseThrow());
            int lineStart = text.lastIndexOf('\n', start - 1) + 1;
            if (lineStart == 0 && text.startsWith("\uFEFF")) {
                lineStart = 1; // a byte-order mark is not part of the first line's content: it stays where it is
            }
            Documents.Applied after = Documents.apply(
                    text.substring(start, end),
                    start,
                    text.substring(lineStart, start),
                    edit.edits(),
                    edit.changes(),
                    edit.json());
            if (after == null) {
                notes.addAll(unchanged(edit.findings(), UNEDITABLE));
                continue;
            }
            for (Finding f : edit.findings()) {
                (f.isRewrite() ? rewrites : notes).add(f);
            }
            changed.add(new ChangedDocument(
                    source,
                    number,
                    edit.object(),
                    root.getStartMark().orElseThrow().getLine() + 1, // from is on that line too
                    text.substring(after.from(), end),
                    after.text(),
                    after.reserialized()));
            replacements.add(new TextEdit(after.from(), end, after.text()));
        }
        replacements.sort(Comparator.comparingInt(TextEdit::start));
        StringBuilder out = new StringBuilder(text.length() + 256);
        int at = 0;
        for (TextEdit r : replacements) {
            out.append(text, at, r.start()).append(r.text());
            at = r.end();
        }
        out.append(text, at, text.length());
        return new Result(out.toString(), rewrites, notes, changed, number);
    }

    /** The first key that appears twice in one mapping, described with its place; null when there is none. */
    /** The document stays as written: each rewrite it would have made becomes a note saying why not. */
    private static List<Finding> unchanged(List<Finding> findings, String why) {
        List<Finding> notes = new ArrayList<>(findings.size());
        for (Finding f : findings) {
            notes.add(
                    f.isRewrite()
                            ? new Finding(f.source(), f.document(), f.object(), f.container(), f.from(), null, why)
                            : f);
        }
        return notes;
    }

    private static String duplicateKey(Node node, Set<Node> seen) {
        if (!seen.add(node)) {
            return null;
        }
        if (node instanceof MappingNode m) {
            Set<String> keys = new HashSet<>();
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && !keys.add(k.getValue())) {
                    Mark at = k.getStartMark().orElse(null);
                    return "duplicate key '" + k.getValue() + "'"
                            + (at == null
                                    ? ""
                                    : " (line " + (at.getLine() + 1) + ", column " + (at.getColumn() + 1) + ")");
                }
                String inner = duplicateKey(t.getValueNode(), seen);
                if (inner != null) {
                    return inner;
                }
            }
        } else if (node instanceof SequenceNode s) {
            for (Node n : s.getValue()) {
                String inner = duplicateKey(n, seen);
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    private static String describe(YamlEngineException e) {
        if (e instanceof MarkedYamlEngineException m) {
            StringBuilder sb = new StringBuilder();
            if (m.getContext() != null) {
                sb.append(m.getContext()).append(", ");
            }
            sb.append(m.getProblem());
            m.getProblemMark()
                    .ifPresent(mark -> sb.append(" (line ")
                            .append(mark.getLine() + 1)
                            .append(", column ")
                            .append(mark.getColumn() + 1)
                            .append(')'));
            return sb.toString();
        }
        return String.valueOf(e.getMessage());
    }

    /** A replacement of {@code [start, end)} by {@code text}, in char offsets of the whole input. */
    record TextEdit(int start, int end, String text) {}

    /**
     * What one document needs: text edits and the same changes as paths for the check.
     *
     * @param anchored whether the document uses YAML anchors: then it is left as written
     * @param json whether the document is a flow mapping (JSON): written anew as JSON if need be
     */
    record DocumentEdit(
            String object,
            List<TextEdit> edits,
            List<Documents.PathValue> changes,
            List<Finding> findings,
            boolean anchored,
            boolean json) {}

    /** Code-point indices of snakeyaml's marks to char offsets. */
    static final class Offsets {
        private final String text;
        private final boolean bmpOnly;
        private int lastCodePoint;
        private int lastChar;

        Offsets(String text) {
            this.text = text;
            this.bmpOnly = text.codePoints().allMatch(Character::isBmpCodePoint);
        }

        int of(Mark mark) {
            int index = mark.getIndex();
            if (bmpOnly) {
                return index;
            }
            // marks mostly come in text order: walk on from the last one instead of from the start each time
            if (index < lastCodePoint) {
                lastCodePoint = 0;
                lastChar = 0;
            }
            lastChar = text.offsetByCodePoints(lastChar, index - lastCodePoint);
            lastCodePoint = index;
            return lastChar;
        }
    }

    /** The decisions for one document. */
    private static final class DocumentRewrite {
        private final LoadedConfig config;
        private final String source;
        private final int number;
        private final Node root;
        private final List<TextEdit> edits = new ArrayList<>();
        private final List<Documents.PathValue> changes = new ArrayList<>();
        private final List<Finding> findings = new ArrayList<>();
        private final String text;
        private final Offsets offsets;
        private final boolean flowRoot;
        private String object = "";

        DocumentRewrite(LoadedConfig config, String source, int number, Node root, String text, Offsets offsets) {
            this.config = config;
            this.source = source;
            this.number = number;
            this.root = root;
            this.text = text;
            this.offsets = offsets;
            this.flowRoot = root instanceof MappingNode m && m.getFlowStyle() == FlowStyle.FLOW;
        }

        DocumentEdit run() {
            if (!(root instanceof MappingNode top)) {
                return new DocumentEdit("", List.of(), List.of(), List.of(), false, false);
            }
            object = Workloads.label(top);
            if ("List".equals(str(get(top, "kind"))) && get(top, "items") instanceof SequenceNode items) {
                List<Node> list = items.getValue();
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof MappingNode item) {
                        workload(item, List.of("items", i));
                    }
                }
            } else {
                workload(top, List.of());
            }
            boolean anchored = !findings.isEmpty() && Documents.hasAnchors(root);
            return new DocumentEdit(object, edits, changes, findings, anchored, flowRoot);
        }

        private void workload(MappingNode obj, List<Object> path) {
            Workloads.Template t = Workloads.template(obj);
            if (t == null || !(get(t.pod(), "spec") instanceof MappingNode spec)) {
                return;
            }
            List<Object> podPath = concat(path, t.path());
            String label = Workloads.label(obj);
            String namespace = get(obj, "metadata") instanceof MappingNode m ? str(get(m, "namespace")) : null;
            Node metadata = get(t.pod(), "metadata");
            PodView.Metadata meta =
                    PodViews.metadata(metadata, config.settings().optOutAnnotation());
            List<List<PodViews.ImageSlot>> imageNodes = new ArrayList<>();
            List<List<PodView.ContainerView>> containers = new ArrayList<>();
            for (ContainerKind kind : ContainerKind.values()) {
                List<PodViews.ImageSlot> nodes = new ArrayList<>();
                containers.add(PodViews.containers(get(spec, kind.field()), nodes));
                imageNodes.add(nodes);
            }
            PodView view = new PodView(meta, containers);
            PodPlan plan = PodPlanner.forCreate(config, namespace, view);
            for (ImageDecision d : plan.decisions()) {
                String key = d.annotationKey();
                if (d.isRewrite()) {
                    PodViews.ImageSlot slot = imageNodes.get(d.kind().ordinal()).get(d.index());
                    edits.add(Documents.replaceScalar(slot, d.rewritten(), text, offsets));
                    changes.add(new Documents.PathValue(
                            concat(podPath, List.of("spec", d.kind().field(), d.index(), "image")), d.rewritten()));
                    findings.add(new Finding(source, number, label, key, d.original(), d.rewritten(), null));
                } else if (d.skipReason() == SkipReason.INVALID_REFERENCE && d.original() != null) {
                    findings.add(new Finding(source, number, label, key, d.original(), null, INVALID));
                }
            }
            String originals = PatchBuilder.originalImages(plan);
            if (originals != null && meta.annotations().shape() != PodView.Shape.OTHER) {
                changes.add(new Documents.PathValue(
                        concat(
                                podPath,
                                List.of("metadata", "annotations", AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION)),
                        originals));
                Documents.annotate(t.pod(), originals, text, offsets, edits);
            }
        }
    }

    static Node get(Node mapping, String key) {
        if (mapping instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return t.getValueNode();
                }
            }
        }
        return null;
    }

    /** The value of a string scalar, null for anything else. */
    static String str(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.STR) ? s.getValue() : null;
    }

    static List<Object> concat(List<Object> a, List<Object> b) {
        List<Object> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }
}

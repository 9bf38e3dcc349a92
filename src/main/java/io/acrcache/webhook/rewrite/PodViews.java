package io.acrcache.webhook.rewrite;

import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.PodView;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.util.ArrayList;
import java.util.List;

import static io.acrcache.webhook.rewrite.ManifestRewriter.get;
import static io.acrcache.webhook.rewrite.ManifestRewriter.str;

/**
 * A {@link PodView} read from a YAML node tree, with the same rules as the webhook's review reader: strings only where
 * strings are expected, a slot kept for a list member that is not a container so indexes stay those of the list.
 */
final class PodViews {
    private static final String MIRROR = "kubernetes.io/config.mirror";
    private static final PodView.Annotations NO_ANNOTATIONS =
            new PodView.Annotations(PodView.Shape.ABSENT, false, null, false, null);

    /** The image scalar of one container (null when there is none) and whether it sits in a flow mapping. */
    record ImageSlot(ScalarNode node, boolean flow) {}

    private PodViews() {}

    static PodView.Metadata metadata(Node node, String optOutAnnotation) {
        if (node == null) {
            return new PodView.Metadata(PodView.Shape.ABSENT, "", "", NO_ANNOTATIONS);
        }
        if (!(node instanceof MappingNode m)) {
            return new PodView.Metadata(shape(node), "", "", NO_ANNOTATIONS);
        }
        String name = str(get(m, "name"));
        String generateName = str(get(m, "generateName"));
        return new PodView.Metadata(
                PodView.Shape.OBJECT,
                name == null ? "" : name,
                generateName == null ? "" : generateName,
                annotations(get(m, "annotations"), optOutAnnotation));
    }

    private static PodView.Annotations annotations(Node node, String optOutAnnotation) {
        if (node == null) {
            return NO_ANNOTATIONS;
        }
        if (!(node instanceof MappingNode m)) {
            return new PodView.Annotations(shape(node), false, null, false, null);
        }
        boolean mirror = false;
        boolean hasOriginals = false;
        String optOut = null;
        String originals = null;
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                continue;
            }
            String key = k.getValue();
            if (key.equals(MIRROR)) {
                mirror = true;
            }
            if (key.equals(optOutAnnotation)) {
                optOut = str(t.getValueNode());
            }
            if (key.equals(AdmissionReviewHandler.ORIGINAL_IMAGES_ANNOTATION)) {
                hasOriginals = true;
                originals = str(t.getValueNode());
            }
        }
        return new PodView.Annotations(PodView.Shape.OBJECT, mirror, optOut, hasOriginals, originals);
    }

    /**
     * The containers of one list, null when the field is absent or not a list; {@code slots} gets each one's image
     * scalar in the same order.
     */
    static List<PodView.ContainerView> containers(Node node, List<ImageSlot> slots) {
        if (!(node instanceof SequenceNode seq)) {
            return null;
        }
        List<PodView.ContainerView> out = new ArrayList<>(seq.getValue().size());
        for (Node item : seq.getValue()) {
            if (item instanceof MappingNode c) {
                String name = str(get(c, "name"));
                Node image = get(c, "image");
                out.add(new PodView.ContainerView(
                        name == null ? "" : name, str(image), str(get(c, "imagePullPolicy"))));
                slots.add(new ImageSlot(image instanceof ScalarNode s ? s : null, c.getFlowStyle() == FlowStyle.FLOW));
            } else {
                out.add(new PodView.ContainerView("", null, null));
                slots.add(new ImageSlot(null, false));
            }
        }
        return out;
    }

    private static PodView.Shape shape(Node node) {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL) ? PodView.Shape.NULL : PodView.Shape.OTHER;
    }
}

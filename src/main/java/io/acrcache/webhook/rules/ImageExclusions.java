package io.acrcache.webhook.rules;

import io.acrcache.webhook.image.ImageReference;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Images that must never be rewritten ({@code excludeImages}): glob patterns on the normalized reference
 * ({@code docker.io/library/busybox:1.36}; an image written without tag or digest is matched as {@code :latest}, the
 * tag the runtime pulls). {@code *} is any run of characters, {@code /} included; {@code ?} is one character. A pattern
 * with no tag or digest of its own ({@code docker.io/library/busybox}) also matches every tag and digest of that
 * repository. Pure; compiled once per configuration.
 */
public final class ImageExclusions {
    public static final ImageExclusions NONE = new ImageExclusions(List.of(), List.of());

    private final List<String> patterns;
    private final List<Pattern> compiled;

    private ImageExclusions(List<String> patterns, List<Pattern> compiled) {
        this.patterns = List.copyOf(patterns);
        this.compiled = List.copyOf(compiled);
    }

    /**
     * @param errors receives one problem per pattern that cannot be used, naming it
     * @return the exclusions of the valid patterns
     */
    public static ImageExclusions compile(List<String> patterns, List<String> errors) {
        List<String> kept = new ArrayList<>();
        List<Pattern> compiled = new ArrayList<>();
        for (String p : patterns) {
            String glob = p.trim();
            if (glob.isEmpty() || glob.chars().anyMatch(Character::isWhitespace)) {
                errors.add("'" + p + "' is not an image pattern (no spaces; e.g. docker.io/library/busybox:*)");
                continue;
            }
            if (!glob.contains("/")) {
                // a bare name would be compared to the normalized form and never match: say so
                errors.add("'" + p + "' must name the registry and repository as normalized, e.g. docker.io/library/"
                        + glob);
                continue;
            }
            kept.add(glob);
            compiled.add(Pattern.compile(regex(glob)));
        }
        return new ImageExclusions(kept, compiled);
    }

    private static String regex(String glob) {
        StringBuilder sb = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    sb.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                sb.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            sb.append(Pattern.quote(literal.toString()));
        }
        String lastSegment = glob.substring(glob.lastIndexOf('/') + 1);
        if (!lastSegment.contains(":") && !lastSegment.contains("@") && !glob.endsWith("*")) {
            sb.append("([:@].*)?"); // a repository: every tag and digest of it
        }
        return sb.toString();
    }

    /** Whether the image is excluded. */
    public boolean excludes(ImageReference ref) {
        if (compiled.isEmpty()) {
            return false;
        }
        String normalized = ref.hasNoTagOrDigest() ? ref.name() + ":latest" : ref.canonical();
        for (Pattern p : compiled) {
            if (p.matcher(normalized).matches()) {
                return true;
            }
        }
        return false;
    }

    public List<String> patterns() {
        return patterns;
    }

    public boolean isEmpty() {
        return compiled.isEmpty();
    }
}

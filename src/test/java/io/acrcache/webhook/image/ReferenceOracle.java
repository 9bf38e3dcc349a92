package io.acrcache.webhook.image;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An independent, regex-based restatement of ParseNormalizedNamed + go-digest validation (plus the parser's documented
 * choices), used to cross-check the hand-written scanner on fuzzed input. Deliberately simple and slow.
 */
final class ReferenceOracle {

    private static final String ALNUM = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final String PATH_COMPONENT = ALNUM + "(?:" + SEPARATOR + ALNUM + ")*";
    private static final String PATH = PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN_NAME = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*";
    private static final String TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";

    private static final Pattern DOMAIN = Pattern.compile("(?:" + DOMAIN_NAME + "|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    private static final Pattern REMAINDER =
            Pattern.compile("(" + PATH + ")(?::(" + TAG + "))?(?:@(.*))?", Pattern.DOTALL);
    private static final Pattern DIGEST =
            Pattern.compile("sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}");
    private static final Pattern IMAGE_ID = Pattern.compile("[a-f0-9]{64}");

    private ReferenceOracle() {}

    /** The expected result, with {@code original} set to {@code s}; {@code null} when invalid. */
    static ImageReference expect(String s, DockerHubHosts hubs) {
        if (s == null || s.isEmpty() || IMAGE_ID.matcher(s).matches()) {
            return null;
        }
        String domain = null;
        String remainder = s;
        int slash = s.indexOf('/');
        if (slash >= 0) {
            String first = s.substring(0, slash);
            if (first.equals("localhost")
                    || first.contains(".")
                    || first.contains(":")
                    || !first.toLowerCase(Locale.ROOT).equals(first)) {
                domain = first;
                remainder = s.substring(slash + 1);
            }
        }
        if (domain != null && !DOMAIN.matcher(domain).matches()) {
            return null;
        }
        Matcher m = REMAINDER.matcher(remainder);
        if (!m.matches()) {
            return null;
        }
        String path = m.group(1);
        String tag = m.group(2);
        String digest = m.group(3);
        if (digest != null && !DIGEST.matcher(digest).matches()) {
            return null;
        }
        String distDomain = domain == null || domain.equals("index.docker.io") ? "docker.io" : domain;
        String distPath = distDomain.equals("docker.io") && !path.contains("/") ? "library/" + path : path;
        if (distDomain.length() + 1 + distPath.length() > 255) {
            return null;
        }
        boolean hub = distDomain.equals("docker.io") || hubs.hosts().contains(domain);
        String registry = hub ? "docker.io" : domain;
        String repository = hub && !path.contains("/") ? "library/" + path : path;
        if (registry.length() + 1 + repository.length() > 255) {
            return null;
        }
        return new ImageReference(s, registry, repository, tag, digest);
    }
}

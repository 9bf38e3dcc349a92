package io.acrcache.webhook.image;

import java.util.Objects;

/**
 * Parses image strings the way {@code docker pull} and containerd do ({@code ParseNormalizedNamed} from
 * github.com/distribution/reference, with digests checked like go-digest's {@code Parse}), and normalizes Docker Hub
 * aliases to {@code docker.io}.
 *
 * <p>A hand-written single pass instead of regular expressions: this runs for every container of every admitted Pod,
 * and a scanner needs no backtracking, no matcher objects and no exceptions on the valid path. Immutable and
 * thread-safe.
 *
 * <p>Decisions where the grammar leaves a choice:
 *
 * <ul>
 *   <li>Name length (max 255): measured on the name distribution itself builds, i.e. the domain as written (with
 *       {@code index.docker.io} turned into {@code docker.io}, and {@code docker.io} added when there is no domain) +
 *       {@code /} + path (with {@code library/} added for one-component Docker Hub names). The normalized
 *       {@link ImageReference#name()} must fit too, so that {@link ImageReference#canonical()} always parses again;
 *       with the default hub hosts that second check never rejects anything distribution accepts.
 *   <li>A first component containing {@code .} must be a valid domain. Distribution accepts e.g. {@code a_b.c/d} but
 *       yields a reference with an empty domain, which cannot be mapped to a registry; it is rejected here.
 *   <li>Extra Docker Hub aliases are applied after validation, so they never change what is valid: an alias only
 *       changes the reported registry/repository.
 * </ul>
 */
public final class ImageReferenceParser {

    /** The longest repository name (registry, {@code /}, path) distribution accepts. */
    public static final int NAME_MAX = 255;

    static final int TAG_MAX = 128;
    private static final String LEGACY_HUB = "index.docker.io";
    private static final String OFFICIAL_PREFIX = "library/";
    private static final String LOCALHOST = "localhost";
    /**
     * Comfortably above the longest valid reference (name, tag and sha512 digest are about 530 characters; an
     * {@code index.docker.io/} name may be written a few characters longer than it is measured), so hostile megabyte
     * strings are refused before scanning.
     */
    private static final int INPUT_MAX = 1024;

    // Path scanner states.
    private static final int COMPONENT_START = 0;
    private static final int ALNUM = 1;
    private static final int DOT = 2;
    private static final int UNDERSCORE = 3;
    private static final int DOUBLE_UNDERSCORE = 4;
    private static final int DASH = 5;

    private final DockerHubHosts hubs;

    public ImageReferenceParser(DockerHubHosts hubs) {
        this.hubs = Objects.requireNonNull(hubs, "hubs");
    }

    /**
     * Parses and normalizes {@code image}.
     *
     * @throws InvalidImageReferenceException for anything distribution/reference would refuse (and the few documented
     *     extra cases); never throws anything else, whatever the input
     */
    public ImageReference parse(String image) throws InvalidImageReferenceException {
        if (image == null) {
            throw invalid(null, "image reference is null");
        }
        final int len = image.length();
        if (len == 0) {
            throw invalid(image, "image reference is empty");
        }
        if (len > INPUT_MAX) {
            throw invalid(image, "image reference is too long");
        }
        if (len == 64 && isLowerHex(image, 0, 64)) {
            throw invalid(image, "cannot use a 64-character hexadecimal string (an image ID) as repository name");
        }

        // splitDockerDomain: only the text before the first '/' can be a domain.
        final int slash = image.indexOf('/');
        final boolean hasDomain = slash >= 0 && isDomainPrefix(image, slash);
        final int pathStart;
        if (hasDomain) {
            String error = domainError(image, slash);
            if (error != null) {
                throw invalid(image, error);
            }
            pathStart = slash + 1;
        } else {
            pathStart = 0;
        }

        // Path: components of [a-z0-9]+ joined by '.', '_', '__' or a run of '-', split by '/'.
        int state = COMPONENT_START;
        boolean nested = false;
        int i = pathStart;
        scan:
        for (; i < len; i++) {
            char c = image.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                state = ALNUM;
                continue;
            }
            switch (c) {
                case '.':
                    if (state != ALNUM) {
                        throw PathFault.BAD_SEPARATOR.in(image, state);
                    }
                    state = DOT;
                    break;
                case '_':
                    if (state == ALNUM) {
                        state = UNDERSCORE;
                    } else if (state == UNDERSCORE) {
                        state = DOUBLE_UNDERSCORE;
                    } else {
                        throw PathFault.BAD_SEPARATOR.in(image, state);
                    }
                    break;
                case '-':
                    if (state != ALNUM && state != DASH) {
                        throw PathFault.BAD_SEPARATOR.in(image, state);
                    }
                    state = DASH;
                    break;
                case '/':
                    if (state != ALNUM) {
                        throw PathFault.END_OF_COMPONENT.in(image, state);
                    }
                    state = COMPONENT_START;
                    nested = true;
                    break;
                case ':':
                case '@':
                    break scan;
                default:
                    if (c >= 'A' && c <= 'Z') {
                        throw invalid(image, "repository name must be lowercase");
                    }
                    throw invalid(image, "invalid character in repository name");
            }
        }
        if (state != ALNUM) {
            if (i == pathStart) {
                throw invalid(image, "repository name is empty");
            }
            throw PathFault.END_OF_COMPONENT.in(image, state);
        }
        final int pathEnd = i;

        String tag = null;
        if (i < len && image.charAt(i) == ':') {
            int tagStart = ++i;
            for (; i < len; i++) {
                char c = image.charAt(i);
                if (c == '@') {
                    break;
                }
                if (!isWordChar(c) && (i == tagStart || (c != '.' && c != '-'))) {
                    throw invalid(image, "invalid tag format");
                }
            }
            int tagLen = i - tagStart;
            if (tagLen == 0) {
                throw invalid(image, "tag is empty");
            }
            if (tagLen > TAG_MAX) {
                throw invalid(image, "tag must not be more than " + TAG_MAX + " characters");
            }
            tag = image.substring(tagStart, i);
        }

        String digest = null;
        if (i < len) {
            // Only '@' can get here: the path stops at ':' or '@', the tag only at '@'.
            int digestStart = i + 1;
            String error = digestError(image, digestStart, len);
            if (error != null) {
                throw invalid(image, error);
            }
            digest = image.substring(digestStart);
        }

        final int pathLen = pathEnd - pathStart;
        // What distribution measures (and normalizes) without knowing our extra aliases.
        final boolean distHub = !hasDomain
                || isRegion(image, 0, slash, ImageReference.DOCKER_HUB)
                || isRegion(image, 0, slash, LEGACY_HUB);
        final boolean hub = distHub || hubs.isDockerHub(image, 0, slash);
        final int distNameLen = (distHub ? ImageReference.DOCKER_HUB.length() : slash)
                + 1
                + (distHub && !nested ? OFFICIAL_PREFIX.length() : 0)
                + pathLen;
        final int nameLen = (hub ? ImageReference.DOCKER_HUB.length() : slash)
                + 1
                + (hub && !nested ? OFFICIAL_PREFIX.length() : 0)
                + pathLen;
        if (distNameLen > NAME_MAX || nameLen > NAME_MAX) {
            throw invalid(image, "repository name must not be more than " + NAME_MAX + " characters");
        }

        String path = image.substring(pathStart, pathEnd);
        String registry;
        String repository;
        if (hub) {
            registry = ImageReference.DOCKER_HUB;
            repository = nested ? path : OFFICIAL_PREFIX + path;
        } else {
            registry = image.substring(0, slash);
            repository = path;
        }
        return new ImageReference(image, registry, repository, tag, digest);
    }

    /**
     * Whether {@code s[0, end)} (the text before the first '/') is taken as a domain: it contains '.' or ':', is
     * {@code localhost}, or has an uppercase letter (paths never do).
     */
    static boolean isDomainPrefix(String s, int end) {
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c == '.' || c == ':' || (c >= 'A' && c <= 'Z')) {
                return true;
            }
        }
        return isRegion(s, 0, end, LOCALHOST);
    }

    /**
     * Validates {@code s[0, end)} as {@code host [":" port]}, host being a domain name (components of
     * {@code [a-zA-Z0-9]} with inner '-', joined by '.'; IPv4 fits that too) or a bracketed IPv6 address
     * {@code [a-fA-F0-9:]+}. Returns why it is invalid, or {@code null}.
     */
    static String domainError(String s, int end) {
        if (end == 0) {
            return "registry domain is empty";
        }
        int i;
        if (s.charAt(0) == '[') {
            for (i = 1; i < end; i++) {
                char c = s.charAt(i);
                if (c == ']') {
                    break;
                }
                if (!isHex(c) && c != ':') {
                    return "invalid IPv6 address in registry domain";
                }
            }
            if (i == end || i == 1) {
                return "invalid IPv6 address in registry domain";
            }
            i++; // past ']'
        } else {
            boolean componentStart = true;
            char prev = 0;
            for (i = 0; i < end; i++) {
                char c = s.charAt(i);
                if (c == ':') {
                    break;
                }
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                    componentStart = false;
                } else if (c == '-') {
                    if (componentStart) {
                        return "registry domain component must not start with '-'";
                    }
                } else if (c == '.') {
                    if (componentStart || prev == '-') {
                        return "invalid registry domain";
                    }
                    componentStart = true;
                } else {
                    return "invalid character in registry domain";
                }
                prev = c;
            }
            if (componentStart || prev == '-') {
                return "invalid registry domain";
            }
        }
        if (i == end) {
            return null;
        }
        if (s.charAt(i) != ':' || i + 1 == end) {
            return "invalid registry port";
        }
        for (i++; i < end; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return "invalid registry port";
            }
        }
        return null;
    }

    /**
     * go-digest's verdict on {@code s[start, end)}: only {@code sha256}, {@code sha384} and {@code sha512} with exactly
     * 64/96/128 lowercase hex characters are accepted. Returns why it is invalid, or {@code null}.
     */
    static String digestError(String s, int start, int end) {
        int colon = s.indexOf(':', start);
        if (colon < 0 || colon >= end || colon == start || colon + 1 == end) {
            return "invalid digest format";
        }
        int hexLen;
        if (isRegion(s, start, colon, "sha256")) {
            hexLen = 64;
        } else if (isRegion(s, start, colon, "sha384")) {
            hexLen = 96;
        } else if (isRegion(s, start, colon, "sha512")) {
            hexLen = 128;
        } else {
            return isAlgorithm(s, start, colon) && isEncoded(s, colon + 1, end)
                    ? "unsupported digest algorithm"
                    : "invalid digest format";
        }
        if (end - colon - 1 != hexLen) {
            return "invalid digest length";
        }
        for (int i = colon + 1; i < end; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return isHex(c) ? "digest must be lowercase hexadecimal" : "invalid digest format";
            }
        }
        return null;
    }

    /** {@code [a-z0-9]+([+._-][a-z0-9]+)*}; only decides which message an invalid digest gets. */
    private static boolean isAlgorithm(String s, int start, int end) {
        boolean needAlnum = true;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                needAlnum = false;
            } else if (!needAlnum && (c == '+' || c == '.' || c == '_' || c == '-')) {
                needAlnum = true;
            } else {
                return false;
            }
        }
        return !needAlnum;
    }

    /** go-digest's encoded part {@code [a-zA-Z0-9=_-]+}; only decides the message. */
    private static boolean isEncoded(String s, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!isWordChar(c) && c != '=' && c != '-') {
                return false;
            }
        }
        return start < end;
    }

    private static boolean isLowerHex(String s, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** {@code \w} as in Go's RE2 without Unicode: ASCII letters, digits and '_'. */
    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static boolean isRegion(String s, int start, int end, String expected) {
        return end - start == expected.length() && s.startsWith(expected, start);
    }

    /** A fault in a repository path, worded by whether the scan stood at a component's start or inside one. */
    private enum PathFault {
        BAD_SEPARATOR(
                "repository path component must start with a lowercase letter or digit",
                "invalid separator in repository name"),
        END_OF_COMPONENT(
                "repository path component is empty", "repository path component must not end with a separator");

        private final String atStart;
        private final String inside;

        PathFault(String atStart, String inside) {
            this.atStart = atStart;
            this.inside = inside;
        }

        InvalidImageReferenceException in(String image, int state) {
            return invalid(image, state == COMPONENT_START ? atStart : inside);
        }
    }

    private static InvalidImageReferenceException invalid(String image, String reason) {
        return new InvalidImageReferenceException(image, reason);
    }
}

package io.acrcache.webhook.rules;

import io.acrcache.webhook.image.ImageReference;
import io.acrcache.webhook.image.ImageReferenceParser;
import io.acrcache.webhook.image.InvalidImageReferenceException;

import java.util.Objects;
import java.util.Optional;

/**
 * The one decision, per image string, of whether the registry's cache serves it and under which name: parse, leave what
 * already names the registry or is excluded ({@code excludeImages}), match a rule, check the rewritten name's length.
 * Admission and the pull-failure report both ask it, so the report says what admission did. Pure and cheap to build
 * (one per request is fine).
 */
public final class ImagePlanner {
    private final ImageReferenceParser parser;
    private final String loginServer;
    private final RuleSet rules;
    private final ImageExclusions exclusions;

    /** @param loginServer the registry's login server, e.g. {@code myacr.azurecr.io} */
    public ImagePlanner(ImageReferenceParser parser, String loginServer, RuleSet rules) {
        this(parser, loginServer, rules, ImageExclusions.NONE);
    }

    /** @param exclusions images never rewritten ({@code excludeImages}) */
    public ImagePlanner(ImageReferenceParser parser, String loginServer, RuleSet rules, ImageExclusions exclusions) {
        this.parser = Objects.requireNonNull(parser, "parser");
        this.loginServer = Objects.requireNonNull(loginServer, "loginServer");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.exclusions = Objects.requireNonNull(exclusions, "exclusions");
    }

    public ImageTarget plan(String image) {
        ImageReference ref;
        try {
            ref = parser.parse(image);
        } catch (InvalidImageReferenceException e) {
            return new ImageTarget.Leave(ImageTarget.Miss.INVALID_REFERENCE, null, null);
        }
        if (ref.registry().equalsIgnoreCase(loginServer)) {
            return new ImageTarget.Leave(ImageTarget.Miss.ALREADY_CACHED, ref, null);
        }
        if (exclusions.excludes(ref)) {
            return new ImageTarget.Leave(ImageTarget.Miss.EXCLUDED_IMAGE, ref, null);
        }
        Optional<RuleMatch> match = rules.match(ref);
        if (match.isEmpty()) {
            return new ImageTarget.Leave(ImageTarget.Miss.NO_RULE, ref, null);
        }
        String target = match.get().targetRepository();
        if (loginServer.length() + 1 + target.length() > ImageReferenceParser.NAME_MAX) {
            // the runtime would refuse the rewritten name: better the upstream image than a Pod that cannot pull
            return new ImageTarget.Leave(ImageTarget.Miss.TARGET_TOO_LONG, ref, match.get());
        }
        return new ImageTarget.Rewrite(ref, match.get(), ref.withName(loginServer, target));
    }

    public String loginServer() {
        return loginServer;
    }

    public RuleSet rules() {
        return rules;
    }
}

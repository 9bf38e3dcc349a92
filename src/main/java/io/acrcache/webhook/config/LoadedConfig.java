package io.acrcache.webhook.config;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.image.ImageReferenceParser;
import io.acrcache.webhook.rules.ImageExclusions;
import io.acrcache.webhook.rules.RuleSet;

import java.util.List;

/**
 * A configuration ready to serve: the settings, the compiled rules and the parser for the configured Docker Hub hosts,
 * plus warnings worth logging (rules skipped on import), and the compiled {@code excludeImages}.
 */
public record LoadedConfig(
        Settings settings,
        RuleSet ruleSet,
        ImageReferenceParser parser,
        List<String> warnings,
        ImageExclusions exclusions) {

    /** Without exclusions beyond what the settings say (their patterns were checked when loaded). */
    public LoadedConfig(Settings settings, RuleSet ruleSet, ImageReferenceParser parser, List<String> warnings) {
        this(settings, ruleSet, parser, warnings, exclusions(settings));
    }

    /** The same configuration serving other rules (the registry's, laid over the file's). */
    public LoadedConfig withRuleSet(RuleSet rules) {
        return new LoadedConfig(settings, rules, parser, warnings, exclusions);
    }

    public static LoadedConfig of(Settings settings, RuleSet ruleSet, List<String> warnings) {
        return new LoadedConfig(
                settings,
                ruleSet,
                new ImageReferenceParser(DockerHubHosts.of(settings.dockerHubHosts())),
                List.copyOf(warnings));
    }

    private static ImageExclusions exclusions(Settings settings) {
        List<String> ignored = new java.util.ArrayList<>();
        return ImageExclusions.compile(settings.excludeImages(), ignored);
    }
}

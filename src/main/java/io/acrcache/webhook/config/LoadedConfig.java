package io.acrcache.webhook.config;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.image.ImageReferenceParser;
import io.acrcache.webhook.rules.ImageExclusions;
import io.acrcache.webhook.rules.RuleSet;

import java.util.List;
import java.util.Map;

/**
 * A configuration ready to serve: the settings, the compiled rules and the parser for the configured Docker Hub hosts,
 * plus warnings worth logging (rules skipped on import), the compiled {@code excludeImages}, and where each key's value
 * came from.
 *
 * @param origins key path → its source; a key not in it came from the defaults
 */
public record LoadedConfig(
        Settings settings,
        RuleSet ruleSet,
        ImageReferenceParser parser,
        List<String> warnings,
        ImageExclusions exclusions,
        Map<String, Origin> origins) {

    public LoadedConfig {
        origins = Map.copyOf(origins);
    }

    /** Without exclusions beyond what the settings say (their patterns were checked when loaded), all defaults. */
    public LoadedConfig(Settings settings, RuleSet ruleSet, ImageReferenceParser parser, List<String> warnings) {
        this(settings, ruleSet, parser, warnings, exclusions(settings), Map.of());
    }

    /** The same configuration serving other rules (the registry's, laid over the file's). */
    public LoadedConfig withRuleSet(RuleSet rules) {
        return new LoadedConfig(settings, rules, parser, warnings, exclusions, origins);
    }

    public static LoadedConfig of(
            Settings settings, RuleSet ruleSet, List<String> warnings, Map<String, Origin> origins) {
        return new LoadedConfig(
                settings,
                ruleSet,
                new ImageReferenceParser(DockerHubHosts.of(settings.dockerHubHosts())),
                List.copyOf(warnings),
                exclusions(settings),
                origins);
    }

    /** Where the value of {@code path} came from, kept from the load (no need to read the file again). */
    public Origin origin(String path) {
        return origins.getOrDefault(path, Origin.DEFAULTS);
    }

    private static ImageExclusions exclusions(Settings settings) {
        List<String> ignored = new java.util.ArrayList<>();
        return ImageExclusions.compile(settings.excludeImages(), ignored);
    }
}

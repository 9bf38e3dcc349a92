package io.acrcache.webhook.guard;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.image.ImageReference;
import io.acrcache.webhook.image.InvalidImageReferenceException;
import io.acrcache.webhook.rules.RuleMatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The {@code guard.*} settings in the guard's own terms, and the canaries translated through the current rules. */
public final class GuardConfig {
    private GuardConfig() {}

    /** The guard's settings from the configuration; the rest keep the defaults of {@link GuardSettings.Builder}. */
    public static GuardSettings settings(Settings.Guard g) {
        return GuardSettings.builder()
                .enabled(g.enabled())
                .auth(g.auth())
                .inlineBudget(Duration.ofMillis(g.inlineBudgetMillis()))
                .unknownPolicy(g.unknownPolicy())
                .tagTtl(Duration.ofSeconds(g.tagTtlSeconds()))
                .digestTtl(Duration.ofSeconds(g.digestTtlSeconds()))
                .notFoundTtl(Duration.ofSeconds(g.notFoundTtlSeconds()))
                .maxInflightProbes(g.maxInflightProbes())
                .canaries(g.canaries())
                .build();
    }

    /**
     * The canaries as probe targets, and a problem (naming {@code guard.canaries.<rule>}) for each that cannot be
     * translated: unknown rule, not an image, or an image another rule (or none) covers.
     */
    public record Canaries(Map<String, ProbeTarget> targets, List<String> problems) {}

    /**
     * Translates {@code guard.canaries} through the rules of {@code cfg}. An unknown rule is a problem, not an error
     * refusing the configuration: rules may come from the registry later (ARM sync), and a canary that cannot run only
     * means one signal fewer.
     */
    public static Canaries canaries(LoadedConfig cfg) {
        Map<String, ProbeTarget> out = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        String login = cfg.settings().acrLoginServer();
        for (Map.Entry<String, String> e : cfg.settings().guard().canaries().entrySet()) {
            String field = "guard.canaries." + e.getKey();
            if (cfg.ruleSet().byName(e.getKey()).isEmpty()) {
                problems.add(field + ": no cache rule named '" + e.getKey() + "'");
                continue;
            }
            ImageReference ref;
            try {
                ref = cfg.parser().parse(e.getValue());
            } catch (InvalidImageReferenceException ex) {
                problems.add(field + ": '" + e.getValue() + "' is not an image reference (" + ex.getMessage() + ")");
                continue;
            }
            Optional<RuleMatch> match = cfg.ruleSet().match(ref);
            if (match.isEmpty() || !match.get().rule().name().equals(e.getKey())) {
                problems.add(field + ": '" + e.getValue() + "' is not covered by rule '" + e.getKey() + "'"
                        + match.map(m -> " (rule '" + m.rule().name() + "' covers it)")
                                .orElse(""));
                continue;
            }
            String reference = ref.digest() != null ? ref.digest() : ref.tag() != null ? ref.tag() : "latest";
            out.put(e.getKey(), new ProbeTarget(login, match.get().targetRepository(), reference));
        }
        return new Canaries(Map.copyOf(out), List.copyOf(problems));
    }
}

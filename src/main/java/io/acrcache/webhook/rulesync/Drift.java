package io.acrcache.webhook.rulesync;

import io.acrcache.webhook.image.DockerHubHosts;
import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rules.CompiledRule;
import io.acrcache.webhook.rules.RuleSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a rules file and the registry's cache rules differ, matched by normalized source (compiled rules, so
 * {@code docker.io/nginx} and {@code registry-1.docker.io/library/nginx} are the same source) and compared by
 * normalized target. Rule names are not compared: a file may label rules by position.
 */
public record Drift(List<CacheRule> onlyInFile, List<CacheRule> onlyInRegistry, List<TargetMismatch> differentTargets) {

    public Drift {
        onlyInFile = List.copyOf(onlyInFile);
        onlyInRegistry = List.copyOf(onlyInRegistry);
        differentTargets = List.copyOf(differentTargets);
    }

    /** The same source with a different target in each. */
    public record TargetMismatch(CacheRule file, CacheRule registry) {}

    public static final Drift NONE = new Drift(List.of(), List.of(), List.of());

    public boolean none() {
        return onlyInFile.isEmpty() && onlyInRegistry.isEmpty() && differentTargets.isEmpty();
    }

    public static Drift between(RuleSet file, RuleSet registry) {
        Map<String, CompiledRule> registryBySource = new LinkedHashMap<>();
        for (CompiledRule r : registry.rules()) {
            registryBySource.put(sourceKey(r), r);
        }
        List<CacheRule> onlyInFile = new ArrayList<>();
        List<TargetMismatch> different = new ArrayList<>();
        for (CompiledRule f : file.rules()) {
            CompiledRule r = registryBySource.remove(sourceKey(f));
            if (r == null) {
                onlyInFile.add(f.rule());
            } else if (!targetKey(f).equals(targetKey(r))) {
                different.add(new TargetMismatch(f.rule(), r.rule()));
            }
        }
        List<CacheRule> onlyInRegistry =
                registryBySource.values().stream().map(CompiledRule::rule).toList();
        return new Drift(onlyInFile, onlyInRegistry, different);
    }

    /**
     * ARM rule name → the file rule with the same normalized source, for each ARM rule (provisioned or not) that has
     * one: in drift mode the guard's candidates carry the file's names, the registry's health the ARM names.
     */
    public static Map<String, String> fileRulesBySource(
            RuleSet file, List<RegistryRules.ArmRule> registry, DockerHubHosts hubs) {
        Map<String, String> fileBySource = new HashMap<>();
        for (CompiledRule f : file.rules()) {
            fileBySource.put(sourceKey(f), f.rule().name());
        }
        Map<String, String> out = new HashMap<>();
        for (RegistryRules.ArmRule r : registry) {
            RuleSet one =
                    RuleSet.compile(List.of(new CacheRule(r.name(), r.source(), r.target())), hubs, new ArrayList<>());
            String name =
                    one == null ? null : fileBySource.get(sourceKey(one.rules().get(0)));
            if (name != null) {
                out.put(r.name(), name);
            }
        }
        return out;
    }

    private static String sourceKey(CompiledRule r) {
        return r.sourceRegistry() + "/" + r.sourcePath() + (r.wildcard() ? "/*" : "");
    }

    private static String targetKey(CompiledRule r) {
        return r.targetPath() + (r.wildcard() ? "/*" : "");
    }
}

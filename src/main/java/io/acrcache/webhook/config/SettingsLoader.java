package io.acrcache.webhook.config;

import io.acrcache.webhook.rules.CacheRule;
import io.acrcache.webhook.rules.RuleSet;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Merges defaults, the config file and environment overrides (in that order) and validates the result against
 * {@link SettingsCatalog}, listing every error at once with the field it concerns. Used at start and for each reload;
 * callable from tests without a server. The steps: {@link Sources} (merge, with each key's origin), {@link KeyReader}
 * (typed values), {@link RegistryKeys} and {@link CrossKeyChecks} (keys that lean on each other), {@link Binder}.
 */
public final class SettingsLoader {
    private SettingsLoader() {}

    /**
     * Loads from a file (or defaults only when {@code file} is null) and the given environment, as the command line
     * starts: the TLS files the settings name must be there, readable and PEM (checked with the rest, so one list names
     * every problem).
     */
    public static LoadedConfig load(Path file, Map<String, String> env) throws ConfigException {
        String text = null;
        if (file != null) {
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException(List.of("config file " + file + ": cannot be read (" + e.getMessage() + ")"));
            }
        }
        return parse(text, file == null ? "defaults" : file.toString(), env, true);
    }

    /**
     * Loads from config text (YAML or JSON; null for none) and the given environment. Files it names are not opened
     * (reloads: the certificate reloader watches those).
     */
    public static LoadedConfig parse(String text, String sourceName, Map<String, String> env) throws ConfigException {
        return parse(text, sourceName, env, false);
    }

    private static LoadedConfig parse(String text, String sourceName, Map<String, String> env, boolean checkFiles)
            throws ConfigException {
        List<String> errors = new ArrayList<>();
        Sources.Merged merged = Sources.merge(text, sourceName, env, errors);
        // a file that is not settings at all says nothing about the login server: its own error is the one to read
        if (text != null && !merged.fileUnusable()) {
            RegistryKeys.loginServerFromRules(merged, sourceName, errors);
        }
        KeyReader r = new KeyReader(merged, errors);
        Map<String, Object> typed = r.readAll();
        List<CacheRule> rules = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int before = errors.size();
        RuleImport.read((JsonNode) typed.get("rules"), "rules", rules, errors, warnings);
        r.fromEnvNamed("rules", before);
        typed.put("rules", List.copyOf(rules));
        RegistryKeys.check(r, typed);
        Settings settings = Binder.bind(Settings.class, "", typed);
        RuleSet ruleSet = CrossKeyChecks.check(settings, r, checkFiles);
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return LoadedConfig.of(settings, ruleSet, warnings, merged.origins());
    }

    /**
     * The logging format a configuration asks for, as far as it can be read even when the configuration is refused:
     * {@code ACW_LOGGING_FORMAT}, else the file's {@code logging.format}, else text. Lets start-up errors follow it.
     */
    public static String loggingFormat(Path file, Map<String, String> env) {
        String fromEnv = env.get("ACW_LOGGING_FORMAT");
        if (fromEnv != null) {
            return fromEnv.trim().equalsIgnoreCase("json") ? "json" : "text";
        }
        if (file != null) {
            try {
                JsonNode format = Sources.YAML
                        .readTree(Files.readString(file, StandardCharsets.UTF_8))
                        .path("logging")
                        .path("format");
                if (format.isString() && format.stringValue().trim().equalsIgnoreCase("json")) {
                    return "json";
                }
            } catch (IOException | RuntimeException e) {
                // unreadable: the error itself is reported by load, in text
            }
        }
        return "text";
    }
}

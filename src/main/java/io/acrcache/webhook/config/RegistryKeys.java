package io.acrcache.webhook.config;

import io.acrcache.webhook.cloud.ArmEndpoint;
import io.acrcache.webhook.cloud.LoginServers;
import io.acrcache.webhook.cloud.RegistryResourceId;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code acrLoginServer} and the {@code registry.*} keys, which lean on each other: the login server is derived from
 * the registry's name (in {@code registry.resourceId} or the rules' ARM ids) when not given, never guessed.
 */
final class RegistryKeys {
    static final String LOGIN_SERVER = "acrLoginServer";

    private RegistryKeys() {}

    /**
     * A config file without {@code acrLoginServer} nor {@code registry.resourceId}: the rules' ARM ids ({@code az acr
     * cache list -o json}) name the registry; without them it is an error, since the placeholder would rewrite every
     * Pod to a registry that is not there. The placeholder serves only with no config file at all.
     */
    static void loginServerFromRules(Sources.Merged merged, String sourceName, List<String> errors) {
        if (merged.given(LOGIN_SERVER) || merged.given(RegistryResourceId.FIELD)) {
            return;
        }
        Map<String, JsonNode> values = merged.values();
        Set<String> registries = new TreeSet<>();
        JsonNode rules = values.get("rules");
        if (rules != null && rules.isArray()) {
            for (JsonNode rule : rules) {
                JsonNode id = rule.get("id");
                if (id != null && id.isString()) {
                    LoginServers.registryName(id.stringValue())
                            .ifPresent(name -> registries.add(name.toLowerCase(Locale.ROOT)));
                }
            }
        }
        JsonNode arm = values.get("registry.armEndpoint");
        String armEndpoint = arm != null && arm.isString() ? arm.stringValue() : ArmEndpoint.DEFAULT;
        if (registries.size() == 1) {
            String name = registries.iterator().next();
            Optional<String> derived = LoginServers.fromRegistry(name, armEndpoint);
            if (derived.isPresent()) {
                values.put(LOGIN_SERVER, JsonNodeFactory.instance.stringNode(derived.get()));
            } else {
                errors.add(LOGIN_SERVER + ": not set, and the login server of registry '" + name
                        + "' (named by the rules' ARM ids) cannot be derived for ARM endpoint " + armEndpoint
                        + " (known clouds only); set it");
            }
        } else if (registries.isEmpty()) {
            errors.add(LOGIN_SERVER + ": is required when a config file is given (" + sourceName
                    + "): set it to your registry, e.g. 'acrLoginServer: myacr.azurecr.io', or set "
                    + "ACW_ACR_LOGIN_SERVER (it is read from the rules' ARM ids when they carry them, as"
                    + " 'az acr cache list -o json' prints)");
        } else {
            errors.add(LOGIN_SERVER + ": not set, and the rules' ARM ids name several registries " + registries
                    + ": set acrLoginServer or ACW_ACR_LOGIN_SERVER");
        }
    }

    /**
     * The {@code registry.*} checks: a resource ID that is a registry's, an https ARM endpoint, {@code ruleSync} only
     * with a resource ID; and the login server derived from the registry's name when {@code acrLoginServer} is not
     * given (never guessed: a cloud whose suffix is unknown needs it set). Writes the normalized endpoint and the
     * derived login server back into {@code typed}.
     */
    static void check(KeyReader r, Map<String, Object> typed) {
        String resourceId = (String) typed.get(RegistryResourceId.FIELD);
        String armEndpoint = (String) typed.get("registry.armEndpoint");
        try {
            typed.put("registry.armEndpoint", ArmEndpoint.check(armEndpoint));
        } catch (IllegalArgumentException e) {
            r.errors.add(e.getMessage());
            armEndpoint = null;
        }
        if (resourceId.isEmpty()) {
            if (Boolean.TRUE.equals(typed.get("registry.ruleSync"))) {
                r.error(
                        "registry.ruleSync",
                        "true needs " + RegistryResourceId.FIELD + " (or "
                                + SettingsCatalog.BY_PATH
                                        .get(RegistryResourceId.FIELD)
                                        .env()
                                + "): the ARM resource ID of the registry to read the cache rules from; set it, or"
                                + " set ruleSync to false");
            }
            return;
        }
        List<String> problems = RegistryResourceId.problems(RegistryResourceId.FIELD, resourceId);
        r.errors.addAll(problems);
        if (!problems.isEmpty() || armEndpoint == null || r.given(LOGIN_SERVER)) {
            return;
        }
        String name = RegistryResourceId.parse(resourceId).registryName();
        Optional<String> derived = LoginServers.fromRegistry(name, armEndpoint);
        if (derived.isPresent()) {
            typed.put(LOGIN_SERVER, derived.get());
        } else {
            r.error(
                    LOGIN_SERVER,
                    "not set, and the login server of registry '" + name + "' cannot be derived for ARM endpoint "
                            + armEndpoint + " (known clouds only); set it");
        }
    }
}

package io.acrcache.webhook.config;

import io.acrcache.webhook.rules.CacheRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsLoaderTest {

    private static LoadedConfig parse(String text, Map<String, String> env) throws ConfigException {
        return SettingsLoader.parse(text, "config.yaml", env);
    }

    @Test
    void embeddedDefaults() throws Exception {
        LoadedConfig c = parse(null, Map.of());
        Settings s = c.settings();
        assertEquals("myacr.azurecr.io", s.acrLoginServer());
        assertEquals(Mode.ENFORCE, s.mode());
        assertEquals(
                List.of("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"),
                s.dockerHubHosts());
        assertEquals(Set.of("kube-system"), s.excludedNamespaces());
        assertEquals("acr-cache-webhook.io/skip", s.optOutAnnotation());
        assertEquals(List.of(new CacheRule("docker-hub", "docker.io/*", "docker/*")), s.rules());
        assertEquals(8443, s.server().port());
        assertFalse(s.server().hasCertificate());
        assertEquals(4 * 1024 * 1024, s.server().maxBodyBytes());
        assertEquals(9090, s.ops().port());
        assertFalse(s.pullFailures().enabled());
        assertEquals(1000, s.pullFailures().maxEntries());
        assertEquals("text", s.logging().format());
        assertEquals(5, s.shutdown().drainSeconds());
        assertEquals(10, s.server().requestTimeoutSeconds());
        assertEquals(2000, s.server().maxConnections());
        assertEquals(8192, s.server().maxHeaderBytes());
        assertEquals(1, c.ruleSet().size());
    }

    @Test
    void fullYamlFile() throws Exception {
        Settings s = parse("""
                acrLoginServer: Contoso.azurecr.io
                mode: audit
                dockerHubHosts: [docker.io, mirror.example.com]
                excludedNamespaces: [kube-system, monitoring]
                optOutAnnotation: example.com/no-cache
                rules:
                  - source: docker.io/*
                    target: docker/*
                  - name: nginx
                    source: docker.io/library/nginx
                    target: nginx
                server: {port: 9443, tlsCertFile: /tls/tls.crt, tlsKeyFile: /tls/tls.key, maxBodyBytes: 2048}
                ops: {port: 9191}
                pullFailures: {enabled: true, namespaces: [apps], maxEntries: 10, retentionMinutes: 60}
                logging: {format: json, level: debug}
                shutdown: {drainSeconds: 0}
                """, Map.of()).settings();
        assertEquals("contoso.azurecr.io", s.acrLoginServer());
        assertEquals(Mode.AUDIT, s.mode());
        assertEquals(Set.of("kube-system", "monitoring"), s.excludedNamespaces());
        assertEquals(
                List.of(
                        new CacheRule("docker.io/*", "docker.io/*", "docker/*"),
                        new CacheRule("nginx", "docker.io/library/nginx", "nginx")),
                s.rules());
        assertEquals(9443, s.server().port());
        assertTrue(s.server().hasCertificate());
        assertEquals(2048, s.server().maxBodyBytes());
        assertEquals(9191, s.ops().port());
        assertEquals(new Settings.PullFailures(true, List.of("apps"), 10, 60), s.pullFailures());
        assertEquals(new Settings.Logging("json", "debug"), s.logging());
        assertEquals(0, s.shutdown().drainSeconds());
    }

    @Test
    void azCliFlatJsonAsTheWholeFile() throws Exception {
        LoadedConfig c = parse("""
                [
                  {"creationDate": "2024-05-01T10:00:00Z", "credentialSetResourceId": "/subscriptions/x/credentialSets/hub",
                   "id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myacr/cacheRules/docker-hub",
                   "name": "docker-hub", "provisioningState": "Succeeded", "resourceGroup": "rg",
                   "sourceRepository": "docker.io/*", "targetRepository": "docker/*",
                   "type": "Microsoft.ContainerRegistry/registries/cacheRules"},
                  {"name": "ghcr", "provisioningState": "Failed", "sourceRepository": "ghcr.io/*", "targetRepository": "ghcr/*"}
                ]
                """, Map.of("ACW_ACR_LOGIN_SERVER", "myacr.azurecr.io"));
        assertEquals(
                List.of(new CacheRule("docker-hub", "docker.io/*", "docker/*")),
                c.settings().rules());
        assertEquals(List.of("rule ghcr (rules[1]) skipped: provisioningState is Failed, not Succeeded"), c.warnings());
    }

    @Test
    void armShapeNestedUnderProperties() throws Exception {
        LoadedConfig c = parse("""
                acrLoginServer: myacr.azurecr.io
                rules:
                  - name: ubuntu
                    properties: {sourceRepository: docker.io/library/ubuntu, targetRepository: ubuntu, provisioningState: Succeeded}
                  - name: mcr
                    properties: {sourceRepository: mcr.microsoft.com/*, targetRepository: mcr/*}
                """, Map.of());
        assertEquals(
                List.of(
                        new CacheRule("ubuntu", "docker.io/library/ubuntu", "ubuntu"),
                        new CacheRule("mcr", "mcr.microsoft.com/*", "mcr/*")),
                c.settings().rules());
    }

    @Test
    void environmentOverridesTheFile() throws Exception {
        Settings s = parse(
                        "acrLoginServer: a.azurecr.io\nserver: {port: 1}\n",
                        Map.of(
                                "ACW_ACR_LOGIN_SERVER", "b.azurecr.io",
                                "ACW_SERVER_PORT", "8444",
                                "ACW_EXCLUDED_NAMESPACES", "a, b",
                                "ACW_PULL_FAILURES_ENABLED", "true",
                                "ACW_RULES", "[{source: 'ghcr.io/*', target: 'ghcr/*'}]"))
                .settings();
        assertEquals("b.azurecr.io", s.acrLoginServer());
        assertEquals(8444, s.server().port());
        assertEquals(Set.of("a", "b"), s.excludedNamespaces());
        assertTrue(s.pullFailures().enabled());
        assertEquals("ghcr.io/*", s.rules().get(0).source());
    }

    @Test
    void everyErrorIsListedAtOnceWithItsField() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> parse("""
                acrLoginServer: "not a host"
                mode: sometimes
                colour: blue
                server: {port: 70000, tlsCertFile: /only/cert, bogus: 1}
                logging: {format: xml}
                rules:
                  - {source: docker.io/*, target: docker/*}
                  - {source: docker.io/library/*, target: library/*, extra: 1}
                """, Map.of("ACW_SHUTDOWN_DRAIN_SECONDS", "soon")));
        List<String> errors = e.errors();
        String all = String.join("\n", errors);
        for (String field : List.of(
                "colour: unknown key",
                "server.bogus: unknown key",
                "acrLoginServer:",
                "mode:",
                "server.port: 70000 is out of range",
                "server.tlsCertFile, server.tlsKeyFile",
                "logging.format:",
                "shutdown.drainSeconds:",
                "rules[1].extra: unknown key")) {
            assertTrue(all.contains(field), "missing '" + field + "' in\n" + all);
        }
        assertTrue(e.getMessage().startsWith("invalid configuration:"));
    }

    @Test
    void overlappingRulesAreRefusedAtLoad() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                acrLoginServer: myacr.azurecr.io
                rules:
                  - {source: docker.io/*, target: docker/*}
                  - {source: docker.io/library/*, target: library/*}
                """, Map.of()));
        assertTrue(
                e.errors().get(0).startsWith("rules: rules docker.io/* and docker.io/library/*: wildcard sources"),
                e.errors().toString());
    }

    @Test
    void unnamedRulesAreNamedByTheirSourceSoReorderingKeepsTheirNames() throws Exception {
        String a = "{source: docker.io/library/*, target: library/*}";
        String b = "{source: ghcr.io/*, target: ghcr/*}";
        Settings one = parse("acrLoginServer: x.azurecr.io\nrules: [" + a + ", " + b + "]\n", Map.of())
                .settings();
        Settings two = parse("acrLoginServer: x.azurecr.io\nrules: [" + b + ", " + a + "]\n", Map.of())
                .settings();
        assertEquals(
                Set.of("docker.io/library/*", "ghcr.io/*"),
                Set.copyOf(one.rules().stream().map(CacheRule::name).toList()));
        assertEquals(Set.copyOf(one.rules()), Set.copyOf(two.rules()));
    }

    @Test
    void aConfigFileWithoutLoginServerIsRefusedNotServedWithThePlaceholder() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> parse("rules: [{source: docker.io/*, target: docker/*}]\n", Map.of()));
        assertTrue(
                e.errors().get(0).startsWith("acrLoginServer: is required"),
                e.errors().toString());
        assertTrue(
                e.errors().get(0).contains("ACW_ACR_LOGIN_SERVER"), e.errors().toString());
        // a bare `az acr cache list` array without ids, and without the variable: the same
        ConfigException bare = assertThrows(ConfigException.class, () -> parse("""
                [{"name": "hub", "sourceRepository": "docker.io/*", "targetRepository": "docker/*"}]
                """, Map.of()));
        assertTrue(
                bare.errors().get(0).startsWith("acrLoginServer: is required"),
                bare.errors().toString());
        // an empty file is a config file too
        assertThrows(ConfigException.class, () -> parse("", Map.of()));
    }

    @Test
    void theLoginServerIsReadFromTheRulesArmIds() throws Exception {
        String id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/"
                + "ContosoCache/cacheRules/";
        LoadedConfig bare = parse(
                "[{\"id\": \"" + id + "hub\", \"name\": \"hub\", \"sourceRepository\": \"docker.io/*\","
                        + " \"targetRepository\": \"docker/*\"}]",
                Map.of());
        assertEquals("contosocache.azurecr.io", bare.settings().acrLoginServer());
        LoadedConfig nested = parse(
                "rules:\n  - {id: '" + id + "ubuntu', name: ubuntu, properties: {sourceRepository:"
                        + " docker.io/library/ubuntu, targetRepository: ubuntu}}\n",
                Map.of());
        assertEquals("contosocache.azurecr.io", nested.settings().acrLoginServer());
        // what is written (file or variable) wins over the ids
        assertEquals(
                "other.azurecr.io",
                parse(
                                "acrLoginServer: other.azurecr.io\nrules:\n  - {id: '" + id + "u', name: u, properties:"
                                        + " {sourceRepository: docker.io/library/ubuntu, targetRepository: ubuntu}}\n",
                                Map.of())
                        .settings()
                        .acrLoginServer());
        // ids naming two registries: no guess
        ConfigException two = assertThrows(
                ConfigException.class,
                () -> parse(
                        "rules:\n  - {id: '" + id
                                + "a', name: a, sourceRepository: docker.io/library/a, targetRepository: a}\n  - {id: '"
                                + id.replace("ContosoCache", "OtherCache")
                                + "b', name: b, sourceRepository: docker.io/library/b,"
                                + " targetRepository: b}\n",
                        Map.of()));
        assertTrue(
                two.errors().get(0).contains("several registries"), two.errors().toString());
    }

    @Test
    void yamlSyntaxErrorsGiveLineAndColumn() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> parse("acrLoginServer: a.azurecr.io\nserver:\n  port: [8443\n", Map.of()));
        assertTrue(
                e.errors().get(0).matches("config\\.yaml: not valid YAML or JSON at line \\d+, column \\d+ .*"),
                e.errors().toString());
    }

    @Test
    void anErrorFromTheEnvironmentNamesTheVariable() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> parse(
                        "acrLoginServer: a.azurecr.io\n",
                        Map.of(
                                "ACW_SERVER_PORT", "eighty",
                                "ACW_EXCLUDED_NAMESPACES", "ok,Not_OK",
                                "ACW_RULES", "[{source: docker.io/*}]")));
        String all = String.join("\n", e.errors());
        assertTrue(
                all.contains("server.port: 'eighty' is not a whole number (from environment variable ACW_SERVER_PORT)"),
                all);
        assertTrue(all.contains("(from environment variable ACW_EXCLUDED_NAMESPACES)"), all);
        assertTrue(all.contains("rules[0].target: is required (from environment variable ACW_RULES)"), all);
    }

    @Test
    void unknownKeysGetTheNearestKnownKey() {
        ConfigException e =
                assertThrows(ConfigException.class, () -> parse("""
                acrLoginSever: a.azurecr.io
                server: {prot: 8443}
                logging: {fromat: json}
                zebra: 1
                """, Map.of("ACW_ACR_LOGIN_SERVER", "a.azurecr.io")));
        String all = String.join("\n", e.errors());
        assertTrue(all.contains("acrLoginSever: unknown key; did you mean acrLoginServer?"), all);
        assertTrue(all.contains("server.prot: unknown key; did you mean server.port?"), all);
        assertTrue(all.contains("logging.fromat: unknown key; did you mean logging.format?"), all);
        assertTrue(all.contains("zebra: unknown key") && !all.contains("zebra: unknown key;"), all);
    }

    @Test
    void excludeImagesFromFileAndEnvironment() throws Exception {
        LoadedConfig c =
                parse("acrLoginServer: a.azurecr.io\nexcludeImages: ['docker.io/library/busybox:*']\n", Map.of());
        assertEquals(List.of("docker.io/library/busybox:*"), c.settings().excludeImages());
        assertTrue(c.exclusions().excludes(c.parser().parse("busybox:1.36")));
        LoadedConfig env = parse(
                "acrLoginServer: a.azurecr.io\n", Map.of("ACW_EXCLUDE_IMAGES", "docker.io/myorg/*, docker.io/x/y"));
        assertEquals(
                List.of("docker.io/myorg/*", "docker.io/x/y"), env.exclusions().patterns());
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> parse("acrLoginServer: a.azurecr.io\nexcludeImages: [busybox]\n", Map.of()));
        assertTrue(
                e.errors().get(0).startsWith("excludeImages: 'busybox' must name the registry"),
                e.errors().toString());
    }

    @Test
    void notYamlIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("rules: [unclosed", Map.of()));
        assertTrue(
                e.errors().get(0).startsWith("config.yaml: not valid YAML or JSON"),
                e.errors().toString());
    }

    @Test
    void fileThatCannotBeRead(@TempDir Path dir) {
        ConfigException e =
                assertThrows(ConfigException.class, () -> SettingsLoader.load(dir.resolve("nope.yaml"), Map.of()));
        assertTrue(e.errors().get(0).contains("cannot be read"));
    }

    @Test
    void loadsFromFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("c.yaml"), "acrLoginServer: x.azurecr.io\n");
        assertEquals(
                "x.azurecr.io", SettingsLoader.load(file, Map.of()).settings().acrLoginServer());
    }

    @Test
    void helpListsEveryKeyWithItsEnvironmentVariable() {
        String help = SettingsCatalog.help();
        for (SettingDef def : SettingsCatalog.ALL) {
            assertTrue(help.contains(def.path()) && help.contains(def.env()), def.path());
        }
        assertEquals(
                "ACW_SERVER_TLS_CERT_FILE",
                SettingDef.text("server.tlsCertFile", "", "").env());
    }
}

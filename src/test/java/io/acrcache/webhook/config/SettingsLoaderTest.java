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
                        new CacheRule("rules[0]", "docker.io/*", "docker/*"),
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
                rules:
                  - {source: docker.io/*, target: docker/*}
                  - {source: docker.io/library/*, target: library/*}
                """, Map.of()));
        assertTrue(
                e.errors().get(0).startsWith("rules: rules rules[0] and rules[1]: wildcard sources"),
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

package io.acrcache.webhook.config;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.acrcache.webhook.config.SettingDef.bool;
import static io.acrcache.webhook.config.SettingDef.choice;
import static io.acrcache.webhook.config.SettingDef.integer;
import static io.acrcache.webhook.config.SettingDef.list;
import static io.acrcache.webhook.config.SettingDef.map;
import static io.acrcache.webhook.config.SettingDef.port;
import static io.acrcache.webhook.config.SettingDef.rules;
import static io.acrcache.webhook.config.SettingDef.text;

/**
 * Every configuration key the webhook knows, each defined once. Adding a key is one entry here plus its component in
 * {@link Settings} (same name, nested records for dotted sections); the loader binds it by that name.
 */
public final class SettingsCatalog {
    /** A registry host with an optional port, as a login server is written. */
    static final String HOST = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?";
    /** A Kubernetes namespace name (DNS label). */
    static final String NAMESPACE = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    /** An annotation key: optional DNS-subdomain prefix and a name of at most 63 characters. */
    static final String ANNOTATION_KEY = "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
            + "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";

    public static final List<SettingDef> ALL = List.of(
            text(
                            "acrLoginServer",
                            Defaults.ACR_LOGIN_SERVER,
                            "Login server of the Azure Container Registry that holds the cache rules.")
                    .lowercased()
                    .matching(HOST, "a registry host name such as myacr.azurecr.io"),
            choice(
                    "mode",
                    Defaults.MODE,
                    "`enforce` patches Pods; `audit` reports would-be rewrites in warnings and patches nothing."),
            list(
                    "dockerHubHosts",
                    Defaults.DOCKER_HUB_HOSTS,
                    "Hosts treated as Docker Hub (normalized to `docker.io`); `docker.io` and `index.docker.io`"
                            + " are always included."),
            list("excludedNamespaces", Defaults.EXCLUDED_NAMESPACES, "Namespaces whose Pods are never rewritten.")
                    .matching(NAMESPACE, "a namespace name"),
            text(
                            "optOutAnnotation",
                            Defaults.OPT_OUT_ANNOTATION,
                            "A Pod with this annotation set to `\"true\"` is left alone.")
                    .matching(ANNOTATION_KEY, "an annotation key"),
            list(
                    "excludeImages",
                    List.of(),
                    "Images never rewritten: glob patterns on the normalized reference, e.g."
                            + " `docker.io/library/busybox:*`, `docker.io/myorg/*` (`*` any characters, `/` included;"
                            + " no tag means `latest`; a pattern without tag or digest covers every tag). Counted as"
                            + " skip reason `excluded-image`."),
            rules(
                    "rules",
                    Defaults.RULES,
                    "ACR cache rules (source upstream repository → target repository), hand-written or the output"
                            + " of `az acr cache list -o json`."),
            text("server.host", Defaults.SERVER_HOST, "Address the admission (TLS) listener binds."),
            port("server.port", Defaults.SERVER_PORT, "Port of the admission (TLS) listener; `0` picks a free one."),
            text(
                    "server.tlsCertFile",
                    "",
                    "PEM certificate chain for the admission listener. Empty: development certificates are"
                            + " generated in `./certs`."),
            text("server.tlsKeyFile", "", "PEM private key (PKCS#8, EC or RSA) for the admission listener."),
            integer(
                    "server.maxBodyBytes",
                    Defaults.SERVER_MAX_BODY_BYTES,
                    1024,
                    64 * 1024 * 1024,
                    "Largest AdmissionReview body accepted (one carries up to two Pods of ≤1.5 MiB each);"
                            + " larger gets 413."),
            integer(
                    "server.maxHeaderBytes",
                    Defaults.SERVER_MAX_HEADER_BYTES,
                    1024,
                    1024 * 1024,
                    "Largest request head (request line and headers) accepted; larger gets 431."),
            integer(
                    "server.requestTimeoutSeconds",
                    Defaults.SERVER_REQUEST_TIMEOUT_SECONDS,
                    1,
                    300,
                    "A request not answered this long after its headers arrived (a body that trickles in)"
                            + " gets 408."),
            integer(
                    "server.idleTimeoutSeconds",
                    Defaults.SERVER_IDLE_TIMEOUT_SECONDS,
                    1,
                    3600,
                    "A connection on which nothing is read or written this long is closed (a client that"
                            + " stalls)."),
            integer(
                    "server.maxConnections",
                    Defaults.SERVER_MAX_CONNECTIONS,
                    1,
                    1_000_000,
                    "Open admission connections at most; further connections are closed at once."),
            text("ops.host", Defaults.OPS_HOST, "Address the ops (plain HTTP) listener binds."),
            port(
                    "ops.port",
                    Defaults.OPS_PORT,
                    "Port of the ops listener: `/healthz`, `/readyz`, `/metrics`, `/pull-failures`, `/rules`, `/doctor`, `/`"
                            + " (the status page); `0` picks a free one."),
            choice(
                    "ops.auth",
                    Defaults.OPS_AUTH,
                    "Who may read `/pull-failures`, `/rules`, `/doctor` and the status page `/`: `kubernetes` (a bearer token the API server"
                            + " accepts, allowed to `get` the path), `none`, or `auto` (`kubernetes` in a Pod, `none`"
                            + " outside one). `/healthz` and `/readyz` are always open."),
            bool(
                    "ops.metricsAuth",
                    Defaults.OPS_METRICS_AUTH,
                    "Put `/metrics` behind the same check as `ops.auth` (Prometheus then presents its token)."),
            bool(
                    "pullFailures.enabled",
                    Defaults.PULL_FAILURES_ENABLED,
                    "Watch Kubernetes Events for image pulls throttled by Docker Hub (needs RBAC on events)."),
            list("pullFailures.namespaces", List.of(), "Namespaces to watch for Events; empty watches all.")
                    .matching(NAMESPACE, "a namespace name"),
            integer(
                    "pullFailures.maxEntries",
                    Defaults.PULL_FAILURES_MAX_ENTRIES,
                    1,
                    1_000_000,
                    "Most report entries kept; the oldest are evicted."),
            integer(
                    "pullFailures.retentionMinutes",
                    Defaults.PULL_FAILURES_RETENTION_MINUTES,
                    1,
                    60 * 24 * 90,
                    "Report entries older than this are dropped."),
            bool(
                    "guard.enabled",
                    Defaults.GUARD_ENABLED,
                    "Registry guard: rewrite an image only when the ACR cache can serve it (HEAD probe, cached"
                            + " verdicts, breakers per rule and registry); see docs/guard.md."),
            choice(
                    "guard.auth",
                    Defaults.GUARD_AUTH,
                    "How the guard authenticates to the registry: `workload-identity` (Entra token, ACR token"
                            + " exchange; needs the AZURE_* variables of workload identity) or `anonymous`."),
            integer(
                    "guard.inlineBudgetMillis",
                    Defaults.GUARD_INLINE_BUDGET_MILLIS,
                    0,
                    30_000,
                    "Longest wait for probes of images not seen before, within an admission (also capped at the"
                            + " apiserver's timeout − 1 s); `0` never waits."),
            choice(
                    "guard.unknownPolicy",
                    Defaults.GUARD_UNKNOWN_POLICY,
                    "An image still unverified when the budget ends: `leave` it (a background probe fills the"
                            + " cache for the next Pod) or `rewrite-if-rule-healthy`."),
            integer(
                    "guard.tagTtlSeconds",
                    Defaults.GUARD_TAG_TTL_SECONDS,
                    1,
                    7 * 24 * 3600,
                    "How long a tag the cache serves is remembered as servable."),
            integer(
                    "guard.digestTtlSeconds",
                    Defaults.GUARD_DIGEST_TTL_SECONDS,
                    1,
                    30 * 24 * 3600,
                    "How long a digest the cache serves is remembered as servable."),
            integer(
                    "guard.notFoundTtlSeconds",
                    Defaults.GUARD_NOT_FOUND_TTL_SECONDS,
                    1,
                    24 * 3600,
                    "How long an image the cache does not have is remembered as not servable."),
            integer(
                    "guard.maxInflightProbes",
                    Defaults.GUARD_MAX_INFLIGHT_PROBES,
                    1,
                    10_000,
                    "Probes in flight at most; over the cap an image counts as unverified at once."),
            text(
                    "guard.caFile",
                    "",
                    "PEM bundle of CAs the guard trusts besides the JVM's: a registry (or proxy) behind a private CA."
                            + " Read at start."),
            map(
                    "guard.canaries",
                    "Per cache rule, a source image probed through the rule every minute; failing opens the"
                            + " rule's breaker (e.g. `docker-hub: docker.io/library/busybox:1.36`). Environment:"
                            + " `rule=image` pairs, comma-separated."),
            choice(
                    "logging.format",
                    Defaults.LOGGING_FORMAT,
                    List.of("text", "json"),
                    "`text`, or `json` (one JSON object a line, for log shippers)."),
            choice(
                    "logging.level",
                    Defaults.LOGGING_LEVEL,
                    List.of("error", "warn", "info", "debug"),
                    "`error`, `warn`, `info` (one line per admission that rewrote, listing its rewrites) or `debug` (one line per"
                            + " admission)."),
            integer(
                    "shutdown.drainSeconds",
                    Defaults.SHUTDOWN_DRAIN_SECONDS,
                    0,
                    300,
                    "On SIGTERM: readiness turns false and the server keeps answering this long before it" + " stops."),
            text(
                    "registry.resourceId",
                    "",
                    "ARM resource ID of the registry (`/subscriptions/…/registries/<name>`). Set: its cache rules"
                            + " and credential health are read with the Pod's Azure workload identity (Reader on"
                            + " the registry), compared with `rules` (drift) or used instead of them (`ruleSync`)."
                            + " Empty: no registry access."),
            bool(
                    "registry.ruleSync",
                    Defaults.REGISTRY_RULE_SYNC,
                    "`true`: the rules come from the registry; `rules` only serve until the first successful"
                            + " sync. Needs `registry.resourceId`."),
            integer(
                    "registry.ruleSyncIntervalSeconds",
                    Defaults.REGISTRY_RULE_SYNC_INTERVAL_SECONDS,
                    5,
                    86_400,
                    "How often the registry's rules are read (±10 % jitter), for the sync and the drift check."),
            text(
                    "registry.armEndpoint",
                    Defaults.REGISTRY_ARM_ENDPOINT,
                    "Azure Resource Manager endpoint (https), for sovereign clouds; its host also gives the login"
                            + " server's suffix when `acrLoginServer` is derived from `registry.resourceId`."));

    /** Each key by its path. */
    static final Map<String, SettingDef> BY_PATH = new HashMap<>();
    /** Every section path ({@code server}, {@code guard}, ...): the prefixes of dotted keys. */
    static final Set<String> SECTIONS = new LinkedHashSet<>();

    static {
        for (SettingDef def : ALL) {
            BY_PATH.put(def.path(), def);
            for (int dot = def.path().indexOf('.'); dot > 0; dot = def.path().indexOf('.', dot + 1)) {
                SECTIONS.add(def.path().substring(0, dot));
            }
        }
    }

    private SettingsCatalog() {}

    /** The text that {@code --help} prints. */
    public static String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: java -jar acr-cache-webhook.jar [--config FILE] | --version\n")
                .append("       java -jar acr-cache-webhook.jar certs [--help]\n\n")
                .append("The config file is YAML (or the JSON of 'az acr cache list -o json'); its path may also"
                        + " come from\n")
                .append("ACW_CONFIG. Each key below may be overridden by its environment variable (lists:"
                        + " comma-separated).\n\n");
        for (SettingDef def : ALL) {
            sb.append(String.format(
                    "  %-28s %-34s default: %s%n      %s%n",
                    def.path(),
                    def.env(),
                    def.defaultText().isEmpty() ? "(none)" : def.defaultText(),
                    def.description().replace("`", "") + constraint(def)));
        }
        return sb.toString();
    }

    /** The README's configuration table (Markdown), one row a key. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| key | environment | default | meaning |\n|---|---|---|---|\n");
        for (SettingDef def : ALL) {
            sb.append("| `")
                    .append(def.path())
                    .append("` | `")
                    .append(def.env())
                    .append("` | ")
                    .append(def.defaultText().isEmpty() ? "(none)" : "`" + def.defaultText() + "`")
                    .append(" | ")
                    .append(def.description().replace("|", "\\|"))
                    .append(constraint(def).replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.toString();
    }

    /** The range of a number, said once for help and README alike (choices are named in the description). */
    private static String constraint(SettingDef def) {
        return switch (def.kind()) {
            case INTEGER -> " (" + def.min() + " to " + def.max() + ")";
            default -> "";
        };
    }
}

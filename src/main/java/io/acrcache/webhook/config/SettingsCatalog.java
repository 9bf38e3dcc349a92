package io.acrcache.webhook.config;

import java.util.List;

/** Every configuration key the webhook knows, with its default. */
public final class SettingsCatalog {
    public static final String DEFAULT_HUB_HOSTS =
            "docker.io,index.docker.io,registry-1.docker.io,registry.hub.docker.com";

    public static final List<SettingDef> ALL = List.of(
            new SettingDef(
                    "acrLoginServer",
                    "myacr.azurecr.io",
                    "Login server of the Azure Container Registry that holds the cache rules."),
            new SettingDef(
                    "mode",
                    "enforce",
                    "enforce: patch Pods. audit: compute rewrites, report them as warnings, patch nothing."),
            new SettingDef(
                    "dockerHubHosts",
                    DEFAULT_HUB_HOSTS,
                    "Host names treated as Docker Hub (normalized to docker.io). docker.io and index.docker.io are always included."),
            new SettingDef("excludedNamespaces", "kube-system", "Namespaces whose Pods are never rewritten."),
            new SettingDef(
                    "optOutAnnotation",
                    "acr-cache-webhook.io/skip",
                    "A Pod with this annotation set to \"true\" is left alone."),
            new SettingDef(
                    "rules",
                    "[{source: docker.io/*, target: docker/*}]",
                    "ACR cache rules (source upstream repository → target repository), hand-written or the output of 'az acr cache list -o json'."),
            new SettingDef("server.host", "0.0.0.0", "Address the admission (TLS) listener binds."),
            new SettingDef("server.port", "8443", "Port of the admission (TLS) listener; 0 picks a free port."),
            new SettingDef(
                    "server.tlsCertFile",
                    "",
                    "PEM certificate chain for the admission listener. Empty: development certificates are generated in ./certs."),
            new SettingDef("server.tlsKeyFile", "", "PEM private key for the admission listener."),
            new SettingDef(
                    "server.maxBodyBytes", "4194304", "Largest AdmissionReview body accepted; larger bodies get 413."),
            new SettingDef(
                    "server.maxHeaderBytes",
                    "8192",
                    "Largest request head (request line and headers) accepted; larger gets 431."),
            new SettingDef(
                    "server.requestTimeoutSeconds",
                    "10",
                    "A request not answered this long after its headers arrived (a body that trickles in) gets 408."),
            new SettingDef(
                    "server.idleTimeoutSeconds",
                    "60",
                    "A connection on which nothing is read or written this long is closed (a client that stalls)."),
            new SettingDef(
                    "server.maxConnections",
                    "2000",
                    "Open admission connections at most; further connections are closed at once."),
            new SettingDef("ops.host", "0.0.0.0", "Address the ops (plain HTTP) listener binds."),
            new SettingDef(
                    "ops.port",
                    "9090",
                    "Port of the ops listener: /healthz, /readyz, /metrics, /pull-failures; 0 picks a free port."),
            new SettingDef(
                    "pullFailures.enabled",
                    "false",
                    "Watch Kubernetes Events for image pulls throttled by Docker Hub (needs RBAC on events)."),
            new SettingDef("pullFailures.namespaces", "", "Namespaces to watch for Events; empty watches all."),
            new SettingDef("pullFailures.maxEntries", "1000", "Most report entries kept; the oldest are evicted."),
            new SettingDef("pullFailures.retentionMinutes", "1440", "Report entries older than this are dropped."),
            new SettingDef("logging.format", "text", "text or json (one JSON object a line, for log shippers)."),
            new SettingDef("logging.level", "info", "error, warn, info or debug (debug logs one line per admission)."),
            new SettingDef(
                    "shutdown.drainSeconds",
                    "5",
                    "On SIGTERM: readiness turns false and the server keeps answering this long before it stops."));

    private SettingsCatalog() {}

    /** The text that {@code --help} prints. */
    public static String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("Usage: java -jar acr-cache-webhook.jar [--config FILE]\n")
                .append("       java -jar acr-cache-webhook.jar certs [--help]\n\n")
                .append(
                        "The config file is YAML (or the JSON of 'az acr cache list -o json'); its path may also come from\n")
                .append(
                        "ACW_CONFIG. Each key below may be overridden by its environment variable (lists: comma-separated).\n\n");
        for (SettingDef def : ALL) {
            sb.append(String.format(
                    "  %-28s %-34s default: %s%n      %s%n",
                    def.path(),
                    def.env(),
                    def.defaultText().isEmpty() ? "(none)" : def.defaultText(),
                    def.description()));
        }
        return sb.toString();
    }
}

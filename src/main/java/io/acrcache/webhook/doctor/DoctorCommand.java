package io.acrcache.webhook.doctor;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.azure.AzureHttp;
import io.acrcache.webhook.azure.EntraTokenSource;
import io.acrcache.webhook.azure.WorkloadIdentity;
import io.acrcache.webhook.cli.Flag;
import io.acrcache.webhook.cli.Usage;
import io.acrcache.webhook.config.ConfigException;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingsLoader;
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.WebClient;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code doctor [--config FILE] [--aks-resource-id ID] [--output text|json]}: loads the configuration as the webhook
 * does ({@code --config}, else {@code ACW_CONFIG}, plus the {@code ACW_*} variables), signs in with the Pod's workload
 * identity and prints the report. Exit 0 when no check fails, 1 when one does, 2 for bad arguments or configuration.
 */
public final class DoctorCommand {
    public static final String CLUSTER_ENV = "ACW_REGISTRY_CLUSTER_RESOURCE_ID";
    static final int EXIT_USAGE = 2;
    static final String USAGE = """
            Usage: acr-cache-webhook doctor [--config FILE] [--aks-resource-id ID] [--output text|json]

            Walks the artifact-cache chain (identity, registry, cache rules, credential sets and Key Vault, the
            cluster's AcrPull, a pull through every rule) and names the fix for every broken link. Uses the webhook's
            configuration, ACW_* variables and workload identity; run it as the webhook's own identity with
              kubectl exec deploy/acr-cache-webhook -- java -jar /app/acr-cache-webhook.jar doctor

              --config FILE          the webhook's configuration file (default: $ACW_CONFIG)
              --aks-resource-id ID   the AKS cluster, to check its kubelet identity's AcrPull
                                     (default: $ACW_REGISTRY_CLUSTER_RESOURCE_ID)
              --output text|json     a checklist (default) or {"checks": [...]}
              -h, --help             show this help

            Exit codes: 0 no check failed, 1 a check failed, 2 bad arguments or configuration.
            """;
    private static final Pattern CLUSTER_ID = Pattern.compile(
            "/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.ContainerService/managedClusters/[^/]+",
            Pattern.CASE_INSENSITIVE);
    private static final long RUN_TIMEOUT_SECONDS = 180;

    /** How to reach Azure and the registry: production trusts the JDK's CAs and speaks https. */
    record Wiring(TrustOptions azureTrust, Doctor.Options options) {
        static final Wiring PRODUCTION = new Wiring(null, Doctor.Options.DEFAULT);
    }

    private DoctorCommand() {}

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, out, err, Wiring.PRODUCTION);
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, Wiring wiring) {
        String config = env.get("ACW_CONFIG");
        String cluster = env.get(CLUSTER_ENV);
        String output = "text";
        for (int i = 0; i < args.length; i++) {
            Flag flag = Flag.split(args[i]);
            String value = flag.inline();
            switch (flag.name()) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--config", "--aks-resource-id", "--output" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            Usage.refuse(err, "doctor", flag.name() + " needs a value");
                            return EXIT_USAGE;
                        }
                        value = args[++i];
                    }
                    switch (flag.name()) {
                        case "--config" -> config = value;
                        case "--aks-resource-id" -> cluster = value;
                        default -> output = value;
                    }
                }
                default -> {
                    Usage.refuse(err, "doctor", "unknown argument '" + args[i] + "'");
                    return EXIT_USAGE;
                }
            }
        }
        if (!output.equals("text") && !output.equals("json")) {
            Usage.refuse(err, "doctor", "--output must be text or json, not '" + output + "'");
            return EXIT_USAGE;
        }
        if (cluster != null
                && !cluster.isBlank()
                && !CLUSTER_ID.matcher(cluster.trim()).matches()) {
            Usage.refuse(
                    err,
                    "doctor",
                    "--aks-resource-id / " + CLUSTER_ENV + ": '" + cluster + "' is not an AKS cluster's id"
                            + " (/subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.ContainerService"
                            + "/managedClusters/<name>)");
            return EXIT_USAGE;
        }
        LoadedConfig loaded;
        try {
            loaded = SettingsLoader.load(config == null ? null : Path.of(config), env);
        } catch (ConfigException e) {
            err.println("doctor: " + e.getMessage());
            return EXIT_USAGE;
        }
        DoctorReport report;
        try {
            report = run(loaded, cluster, env, wiring);
        } catch (Exception e) {
            err.println("doctor: did not complete: " + e);
            return 1;
        }
        out.print(output.equals("json") ? report.json() : report.text());
        out.flush();
        return report.exitCode();
    }

    private static DoctorReport run(LoadedConfig loaded, String cluster, Map<String, String> env, Wiring wiring)
            throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            WebClient client = AzureHttp.client(vertx, wiring.options().timeouts(), wiring.azureTrust());
            AccessTokenSource tokens = tokens(vertx, client, env);
            try {
                return new Doctor(vertx, client, client, tokens, env, wiring.options())
                        .run(loaded, cluster)
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } finally {
                if (tokens instanceof AutoCloseable c) {
                    c.close();
                }
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** The webhook's identity; without one, a source whose failure the identity check explains. */
    private static AccessTokenSource tokens(Vertx vertx, WebClient client, Map<String, String> env) {
        if (!WorkloadIdentity.present(env)) {
            return AccessTokenSource.unavailable("no Azure workload identity: " + WorkloadIdentity.CLIENT_ID + ", "
                    + WorkloadIdentity.TENANT_ID + " and " + WorkloadIdentity.TOKEN_FILE + " are not set");
        }
        try {
            return new EntraTokenSource(vertx, client, WorkloadIdentity.fromEnv(env));
        } catch (IllegalArgumentException e) {
            return AccessTokenSource.unavailable(e.getMessage().replace('\n', ' '));
        }
    }
}

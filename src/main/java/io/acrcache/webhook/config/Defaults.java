package io.acrcache.webhook.config;

import io.acrcache.webhook.cloud.ArmEndpoint;
import io.acrcache.webhook.image.DockerHubHosts;

import java.util.List;

/** The default of every setting, named; {@link SettingsCatalog} and the guard's settings builder read them. */
public final class Defaults {
    public static final String ACR_LOGIN_SERVER = "myacr.azurecr.io";
    public static final Mode MODE = Mode.ENFORCE;
    /** The one list of Docker Hub names lives with the parser that uses it. */
    public static final List<String> DOCKER_HUB_HOSTS =
            List.copyOf(DockerHubHosts.defaults().hosts());

    public static final List<String> EXCLUDED_NAMESPACES = List.of("kube-system");
    public static final String OPT_OUT_ANNOTATION = "acr-cache-webhook.io/skip";
    public static final String RULES = "[{name: docker-hub, source: docker.io/*, target: docker/*}]";

    public static final String SERVER_HOST = "0.0.0.0";
    public static final int SERVER_PORT = 8443;
    /** An AdmissionReview carries up to two Pods (object and oldObject) of at most 1.5 MiB each. */
    public static final int SERVER_MAX_BODY_BYTES = 4 * 1024 * 1024;

    public static final int SERVER_MAX_HEADER_BYTES = 8192;
    public static final int SERVER_REQUEST_TIMEOUT_SECONDS = 10;
    public static final int SERVER_IDLE_TIMEOUT_SECONDS = 60;
    public static final int SERVER_MAX_CONNECTIONS = 2000;

    public static final String OPS_HOST = "0.0.0.0";
    public static final int OPS_PORT = 9090;
    public static final OpsAuthMode OPS_AUTH = OpsAuthMode.AUTO;
    public static final boolean OPS_METRICS_AUTH = false;

    public static final boolean PULL_FAILURES_ENABLED = false;
    /** Off in the binary so the quick start on embedded defaults needs no registry; the chart turns it on. */
    public static final boolean GUARD_ENABLED = false;

    public static final GuardChoices.Auth GUARD_AUTH = GuardChoices.Auth.WORKLOAD_IDENTITY;
    public static final int GUARD_INLINE_BUDGET_MILLIS = 750;
    public static final GuardChoices.UnknownPolicy GUARD_UNKNOWN_POLICY = GuardChoices.UnknownPolicy.LEAVE;
    public static final int GUARD_TAG_TTL_SECONDS = 10 * 60;
    /** Content addressed: believed longer than a tag. */
    public static final int GUARD_DIGEST_TTL_SECONDS = 6 * 3600;
    /** Short: a 404 from a pull-through cache can be transient. */
    public static final int GUARD_NOT_FOUND_TTL_SECONDS = 60;

    public static final int GUARD_MAX_INFLIGHT_PROBES = 32;

    public static final int PULL_FAILURES_MAX_ENTRIES = 1000;
    public static final int PULL_FAILURES_RETENTION_MINUTES = 24 * 60;

    public static final String LOGGING_FORMAT = "text";
    public static final String LOGGING_LEVEL = "info";

    public static final int SHUTDOWN_DRAIN_SECONDS = 5;

    public static final boolean REGISTRY_RULE_SYNC = false;
    public static final int REGISTRY_RULE_SYNC_INTERVAL_SECONDS = 300;
    public static final String REGISTRY_ARM_ENDPOINT = ArmEndpoint.DEFAULT;

    private Defaults() {}
}

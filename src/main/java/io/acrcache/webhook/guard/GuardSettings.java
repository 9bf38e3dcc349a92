package io.acrcache.webhook.guard;

import io.acrcache.webhook.config.Defaults;
import io.acrcache.webhook.config.GuardChoices;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the guard can be told. {@link #defaults()} is the shipped behaviour; the configuration maps its
 * {@code guard.*} keys onto a {@link Builder}.
 *
 * @param enabled whether admission consults the guard at all
 * @param auth how the guard authenticates to the login server
 * @param scheme {@code https} for a real ACR; {@code http} only for local registries and tests
 * @param tenantId Entra tenant sent to {@code /oauth2/exchange}; empty means "read {@code tid} from the Entra token"
 * @param inlineBudget the most admission waits for probes of images seen for the first time
 * @param unknownPolicy what an image whose state is still unknown after the budget becomes
 * @param tagTtl how long a servable tag is believed
 * @param digestTtl how long a servable digest is believed (content addressed: longer)
 * @param notFoundTtl how long a not-found answer is believed (a 404 from a pull-through cache can be transient)
 * @param maxInflightProbes global cap on probes in flight; over it an image counts as unknown at once
 * @param maxCacheEntries bound of the verdict cache and of the per-scope token cache
 * @param connectTimeout TCP/TLS connect timeout of every guard request
 * @param requestTimeout time without an answer after which a guard request counts as unavailable
 * @param ruleFailureThreshold rule-level failures (upstream auth, upstream throttled, 424) within {@code failureWindow}
 *     that open a rule's breaker
 * @param registryFailureThreshold registry-level failures (our auth, unavailable) within {@code failureWindow} that
 *     open a registry's breaker; a registry 429 opens it at once
 * @param failureWindow the sliding window for the thresholds above
 * @param breakerBackoff first open period of a breaker; it doubles on every failed trial
 * @param breakerMaxBackoff the longest open period
 * @param heartbeatInterval how often each login server's {@code /v2/} is pinged (catches a dead registry while every
 *     verdict is still cached)
 * @param canaryInterval how often each rule's canary image is probed
 * @param canaries rule name to canary source image (e.g. {@code docker.io/library/busybox:latest}); the composition
 *     root translates each through its rule into a {@link ProbeTarget}
 * @param ruleMinRepositories distinct repositories a rule must have been probed for within {@code failureWindow} before
 *     its failure ratio may open its breaker
 * @param ruleFailurePercent share of those repositories, in percent, whose last answer was a rule-level failure (never
 *     a per-image one) that opens the rule's breaker
 * @param notServableMaxTtl the longest a per-image refusal is believed (its lifetime doubles from {@code notFoundTtl}
 *     with each refusal in a row)
 */
public record GuardSettings(
        boolean enabled,
        Auth auth,
        String scheme,
        String tenantId,
        Duration inlineBudget,
        UnknownPolicy unknownPolicy,
        Duration tagTtl,
        Duration digestTtl,
        Duration notFoundTtl,
        int maxInflightProbes,
        int maxCacheEntries,
        Duration connectTimeout,
        Duration requestTimeout,
        int ruleFailureThreshold,
        int registryFailureThreshold,
        Duration failureWindow,
        Duration breakerBackoff,
        Duration breakerMaxBackoff,
        Duration heartbeatInterval,
        Duration canaryInterval,
        Map<String, String> canaries,
        int ruleMinRepositories,
        int ruleFailurePercent,
        Duration notServableMaxTtl)
        implements GuardChoices {

    /** The ACR audience: data-plane tokens that work whether or not ARM-audience tokens are accepted. */
    public static final String ACR_SCOPE = io.acrcache.webhook.guard.auth.AcrScopes.PUBLIC;

    public GuardSettings {
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(unknownPolicy, "unknownPolicy");
        tenantId = tenantId == null ? "" : tenantId;
        canaries = canaries == null ? Map.of() : Map.copyOf(canaries);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("guard scheme must be https or http: " + scheme);
        }
        if (maxInflightProbes < 1 || maxCacheEntries < 1 || ruleFailureThreshold < 1 || registryFailureThreshold < 1) {
            throw new IllegalArgumentException("guard limits and thresholds must be at least 1");
        }
        nonNegative("inlineBudget", inlineBudget);
        positive("tagTtl", tagTtl);
        positive("digestTtl", digestTtl);
        positive("notFoundTtl", notFoundTtl);
        positive("connectTimeout", connectTimeout);
        positive("requestTimeout", requestTimeout);
        positive("failureWindow", failureWindow);
        positive("breakerBackoff", breakerBackoff);
        positive("breakerMaxBackoff", breakerMaxBackoff);
        positive("heartbeatInterval", heartbeatInterval);
        positive("canaryInterval", canaryInterval);
        if (ruleMinRepositories < 1 || ruleFailurePercent < 1 || ruleFailurePercent > 100) {
            throw new IllegalArgumentException("guard rule ratio: at least 1 repository, 1 to 100 percent");
        }
        positive("notServableMaxTtl", notServableMaxTtl);
        if (breakerMaxBackoff.compareTo(breakerBackoff) < 0) {
            throw new IllegalArgumentException("guard.breakerMaxBackoff must not be below guard.breakerBackoff");
        }
    }

    private static void positive(String name, Duration d) {
        nonNegative(name, d);
        if (d.isZero()) {
            throw new IllegalArgumentException("guard." + name + " must be positive");
        }
    }

    private static void nonNegative(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException("guard." + name + " must be set and not negative: " + d);
        }
    }

    public static GuardSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.enabled = enabled;
        b.auth = auth;
        b.scheme = scheme;
        b.tenantId = tenantId;
        b.inlineBudget = inlineBudget;
        b.unknownPolicy = unknownPolicy;
        b.tagTtl = tagTtl;
        b.digestTtl = digestTtl;
        b.notFoundTtl = notFoundTtl;
        b.maxInflightProbes = maxInflightProbes;
        b.maxCacheEntries = maxCacheEntries;
        b.connectTimeout = connectTimeout;
        b.requestTimeout = requestTimeout;
        b.ruleFailureThreshold = ruleFailureThreshold;
        b.registryFailureThreshold = registryFailureThreshold;
        b.failureWindow = failureWindow;
        b.breakerBackoff = breakerBackoff;
        b.breakerMaxBackoff = breakerMaxBackoff;
        b.heartbeatInterval = heartbeatInterval;
        b.canaryInterval = canaryInterval;
        b.canaries = canaries;
        b.ruleMinRepositories = ruleMinRepositories;
        b.ruleFailurePercent = ruleFailurePercent;
        b.notServableMaxTtl = notServableMaxTtl;
        return b;
    }

    /**
     * Defaults as documented in docs/guard.md; those of the configuration's {@code guard.*} keys are read from
     * {@link Defaults}, the rest are the guard's own. Unlike {@code guard.enabled}, a guard built here is on.
     */
    public static final class Builder {
        private boolean enabled = true;
        private Auth auth = Defaults.GUARD_AUTH;
        private String scheme = "https";
        private String tenantId = "";
        private Duration inlineBudget = Duration.ofMillis(Defaults.GUARD_INLINE_BUDGET_MILLIS);
        private UnknownPolicy unknownPolicy = Defaults.GUARD_UNKNOWN_POLICY;
        private Duration tagTtl = Duration.ofSeconds(Defaults.GUARD_TAG_TTL_SECONDS);
        private Duration digestTtl = Duration.ofSeconds(Defaults.GUARD_DIGEST_TTL_SECONDS);
        private Duration notFoundTtl = Duration.ofSeconds(Defaults.GUARD_NOT_FOUND_TTL_SECONDS);
        private int maxInflightProbes = Defaults.GUARD_MAX_INFLIGHT_PROBES;
        private int maxCacheEntries = 10_000;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private int ruleFailureThreshold = 3;
        private int registryFailureThreshold = 2;
        private Duration failureWindow = Duration.ofSeconds(60);
        private Duration breakerBackoff = Duration.ofSeconds(30);
        private Duration breakerMaxBackoff = Duration.ofMinutes(10);
        private Duration heartbeatInterval = Duration.ofSeconds(15);
        private Duration canaryInterval = Duration.ofSeconds(60);
        private Map<String, String> canaries = Map.of();
        private int ruleMinRepositories = 10;
        private int ruleFailurePercent = 50;
        private Duration notServableMaxTtl = Duration.ofMinutes(10);

        public Builder enabled(boolean v) {
            enabled = v;
            return this;
        }

        public Builder auth(Auth v) {
            auth = v;
            return this;
        }

        public Builder scheme(String v) {
            scheme = v;
            return this;
        }

        public Builder tenantId(String v) {
            tenantId = v;
            return this;
        }

        public Builder inlineBudget(Duration v) {
            inlineBudget = v;
            return this;
        }

        public Builder unknownPolicy(UnknownPolicy v) {
            unknownPolicy = v;
            return this;
        }

        public Builder tagTtl(Duration v) {
            tagTtl = v;
            return this;
        }

        public Builder digestTtl(Duration v) {
            digestTtl = v;
            return this;
        }

        public Builder notFoundTtl(Duration v) {
            notFoundTtl = v;
            return this;
        }

        public Builder maxInflightProbes(int v) {
            maxInflightProbes = v;
            return this;
        }

        public Builder maxCacheEntries(int v) {
            maxCacheEntries = v;
            return this;
        }

        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        public Builder requestTimeout(Duration v) {
            requestTimeout = v;
            return this;
        }

        public Builder ruleFailureThreshold(int v) {
            ruleFailureThreshold = v;
            return this;
        }

        public Builder registryFailureThreshold(int v) {
            registryFailureThreshold = v;
            return this;
        }

        public Builder failureWindow(Duration v) {
            failureWindow = v;
            return this;
        }

        public Builder breakerBackoff(Duration v) {
            breakerBackoff = v;
            return this;
        }

        public Builder breakerMaxBackoff(Duration v) {
            breakerMaxBackoff = v;
            return this;
        }

        public Builder heartbeatInterval(Duration v) {
            heartbeatInterval = v;
            return this;
        }

        public Builder canaryInterval(Duration v) {
            canaryInterval = v;
            return this;
        }

        public Builder canaries(Map<String, String> v) {
            canaries = v;
            return this;
        }

        public Builder ruleMinRepositories(int v) {
            ruleMinRepositories = v;
            return this;
        }

        public Builder ruleFailurePercent(int v) {
            ruleFailurePercent = v;
            return this;
        }

        public Builder notServableMaxTtl(Duration v) {
            notServableMaxTtl = v;
            return this;
        }

        public GuardSettings build() {
            return new GuardSettings(
                    enabled,
                    auth,
                    scheme,
                    tenantId,
                    inlineBudget,
                    unknownPolicy,
                    tagTtl,
                    digestTtl,
                    notFoundTtl,
                    maxInflightProbes,
                    maxCacheEntries,
                    connectTimeout,
                    requestTimeout,
                    ruleFailureThreshold,
                    registryFailureThreshold,
                    failureWindow,
                    breakerBackoff,
                    breakerMaxBackoff,
                    heartbeatInterval,
                    canaryInterval,
                    canaries,
                    ruleMinRepositories,
                    ruleFailurePercent,
                    notServableMaxTtl);
        }
    }
}

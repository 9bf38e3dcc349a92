package io.acrcache.webhook.status;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.doctor.Check;
import io.acrcache.webhook.guard.Guard;
import io.acrcache.webhook.pullfailures.ReportEntry;
import io.acrcache.webhook.rulesync.SyncStatus;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What the status page shows, read anew for every request. A supplier may answer null: that part is off (the guard, the
 * registry sync, the report, the doctor) and the page says so.
 *
 * @param version the webhook's version
 * @param config the configuration and rules in force
 * @param guard the registry guard's breakers; null while {@code guard.enabled} is false
 * @param sync the registry sync as {@code /rules} shows it; null without {@code registry.resourceId}
 * @param pullFailures the pull-failure report, newest first; null when the report is off or cannot watch Events
 * @param doctor the doctor's last checks; null where the doctor is not wired or has not run
 */
public record StatusInputs(
        String version,
        Supplier<LoadedConfig> config,
        Supplier<GuardView> guard,
        Supplier<SyncStatus> sync,
        Supplier<List<ReportEntry>> pullFailures,
        Supplier<List<Check>> doctor) {

    public StatusInputs {
        guard = guard == null ? () -> null : guard;
        sync = sync == null ? () -> null : sync;
        pullFailures = pullFailures == null ? () -> null : pullFailures;
        doctor = doctor == null ? () -> null : doctor;
    }

    /** One breaker as the page shows it: {@code closed}, {@code half-open} or {@code open}, and why. */
    public record BreakerView(String state, String reason, boolean kubeletHold) {
        public boolean closed() {
            return "closed".equals(state) && !kubeletHold;
        }
    }

    /** The guard's breakers by rule and by login server. */
    public interface GuardView {
        BreakerView rule(String name);

        BreakerView registry(String loginServer);

        /** The guard behind {@code guard} (read at each call: it is replaced on reload, null while off). */
        static Supplier<GuardView> of(Supplier<Guard> guard) {
            return () -> {
                Guard g = guard.get();
                if (g == null) {
                    return null;
                }
                return new GuardView() {
                    @Override
                    public BreakerView rule(String name) {
                        return new BreakerView(label(g.ruleState(name)), g.ruleReason(name), g.kubeletHold(name));
                    }

                    @Override
                    public BreakerView registry(String loginServer) {
                        return new BreakerView(label(g.registryState(loginServer)), "", false);
                    }
                };
            };
        }

        private static String label(Enum<?> state) {
            return state.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}

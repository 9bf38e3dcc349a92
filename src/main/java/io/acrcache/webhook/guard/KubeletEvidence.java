package io.acrcache.webhook.guard;

import io.acrcache.webhook.outbound.Backoff;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What confirmed kubelet pull failures say about a cache rule. The webhook's own HEAD can succeed while nodes cannot
 * pull (a node pool without AcrPull, a layer answering 502), so kubelet evidence gets a hold of its own, apart from the
 * rule's breaker: it opens only when several distinct Pods or nodes agree within a window, and closes only after a
 * quiet period without a new confirmed failure of that rule; never on a probe of ours. Each reopening doubles the quiet
 * period (capped), until the rule has been quiet for a day. Never about the registry: a kubelet's word is about the
 * images of one rule.
 */
public final class KubeletEvidence {
    private static final Logger LOG = Logger.getLogger(KubeletEvidence.class.getName());
    /** Distinct Pods remembered per rule: enough to agree, bounded for a 500-replica rollout. */
    static final int MAX_SIGHTINGS = 64;

    /**
     * @param pods distinct failing Pods that open the hold
     * @param nodes distinct failing nodes that open it (fewer: two nodes are two Pods already)
     * @param window how recent the agreeing failures must be
     * @param quiet the first quiet period, doubled for each reopening up to {@code maxQuiet}
     * @param forgetAfter quiet this long, the next hold starts again from {@code quiet}
     */
    public record Settings(
            int pods, int nodes, Duration window, Duration quiet, Duration maxQuiet, Duration forgetAfter) {
        /**
         * Ten minutes: the kubelet retries a failing pull at most every five, so a Pod still stuck keeps a hold open
         * and two of its retries fit the window.
         */
        public static final Settings DEFAULTS = new Settings(
                3, 2, Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofHours(2), Duration.ofHours(24));
    }

    private record Sighting(String node, Instant at) {}

    private final Clock clock;
    private final Settings settings;
    private final Backoff quiet;
    private final ConcurrentMap<String, RuleEvidence> rules = new ConcurrentHashMap<>();

    KubeletEvidence(Clock clock, Settings settings) {
        this.clock = clock;
        this.settings = settings;
        this.quiet = new Backoff(settings.quiet(), settings.maxQuiet());
    }

    /** A confirmed kubelet failure of an image of {@code rule}, from {@code pod} ({@code namespace/name}). */
    void failed(String rule, String pod, String node, String why) {
        rules.computeIfAbsent(rule, RuleEvidence::new).failed(clock.instant(), pod, node, why);
    }

    /** Whether kubelet evidence holds the rule open now. Cheap while it does not. */
    boolean holds(String rule) {
        RuleEvidence e = rules.get(rule);
        return e != null && e.held && e.stillHeld(clock.instant());
    }

    /** A rule that has gone: its evidence with it. */
    void forget(String rule) {
        rules.remove(rule);
    }

    private final class RuleEvidence {
        private final String rule;
        /** Recent failures by Pod, oldest first; cleared when a hold opens or closes. */
        private final LinkedHashMap<String, Sighting> recent = new LinkedHashMap<>();
        // read without the lock on the admission fast path; written under it
        private volatile boolean held;
        private Instant lastFailure = Instant.MIN;
        private int openings;

        RuleEvidence(String rule) {
            this.rule = rule;
        }

        synchronized void failed(Instant now, String pod, String node, String why) {
            stillHeld(now);
            if (openings > 0 && !held && !now.isBefore(lastFailure.plus(settings.forgetAfter()))) {
                openings = 0; // a day of calm: the next hold starts short again
            }
            lastFailure = now;
            if (held) {
                return; // the quiet period starts over
            }
            recent.remove(pod);
            recent.put(pod, new Sighting(node, now));
            Set<String> nodes = new HashSet<>();
            Iterator<Sighting> it = recent.values().iterator();
            while (it.hasNext()) {
                Sighting s = it.next();
                if (s.at().isBefore(now.minus(settings.window())) || recent.size() > MAX_SIGHTINGS) {
                    it.remove();
                } else {
                    nodes.add(s.node());
                }
            }
            if (recent.size() >= settings.pods() || nodes.size() >= settings.nodes()) {
                openings++;
                held = true;
                LOG.log(
                        Level.WARNING,
                        "guard: rule {0} held open by kubelet evidence ({1} Pods on {2} nodes failed to pull: {3});"
                                + " it closes after {4} min without a new failure",
                        new Object[] {
                            rule,
                            recent.size(),
                            nodes.size(),
                            why,
                            quietPeriod().toMinutes()
                        });
                recent.clear();
            }
        }

        /** Closes the hold once the quiet period has passed since the last failure. */
        synchronized boolean stillHeld(Instant now) {
            if (held && !now.isBefore(lastFailure.plus(quietPeriod()))) {
                held = false;
                recent.clear();
                LOG.log(
                        Level.INFO,
                        "guard: rule {0} released by kubelet evidence: no failed pull for {1} min",
                        new Object[] {rule, quietPeriod().toMinutes()});
            }
            return held;
        }

        private Duration quietPeriod() {
            return quiet.delay(openings);
        }
    }
}

package io.acrcache.webhook.guard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A rule's failure ratio over distinct repositories in a sliding window: each repository counts once, by its last
 * rule-level answer (served, or a failure that is not about one image). The rule is in trouble only when at least
 * {@code minRepositories} repositories were heard from in the window and at least {@code percent} of them failed: a few
 * bad repositories among many good ones, or one repository asked about many times, never trip it. Per-image refusals
 * are not recorded here at all (they are verdicts about their image).
 */
final class RepositoryWindow {
    private record Last(Instant at, boolean failed) {}

    private final Clock clock;
    private final Duration window;
    private final int minRepositories;
    private final int percent;
    private final int bound;
    // insertion order = last-heard order (re-inserted on each answer), so the oldest are first
    private final LinkedHashMap<String, Last> byRepository = new LinkedHashMap<>();
    private int failed;

    RepositoryWindow(Clock clock, GuardSettings s) {
        this.clock = clock;
        this.window = s.failureWindow();
        this.minRepositories = s.ruleMinRepositories();
        this.percent = s.ruleFailurePercent();
        this.bound = Math.max(s.ruleMinRepositories() * 4, 1000);
    }

    /** Records one repository's answer; true when the rule's ratio now says it is in trouble. */
    synchronized boolean record(String repository, boolean failure) {
        Instant now = clock.instant();
        Last before = byRepository.remove(repository);
        if (before != null && before.failed()) {
            failed--;
        }
        byRepository.put(repository, new Last(now, failure));
        if (failure) {
            failed++;
        }
        expire(now);
        int n = byRepository.size();
        return failure && n >= minRepositories && failed * 100L >= (long) percent * n;
    }

    /** Forget everything (the breaker opened: its trials decide from now on). */
    synchronized void clear() {
        byRepository.clear();
        failed = 0;
    }

    synchronized String describe() {
        return failed + " of " + byRepository.size() + " repositories failed within " + window.toSeconds() + " s";
    }

    private void expire(Instant now) {
        Instant horizon = now.minus(window);
        Iterator<Map.Entry<String, Last>> it = byRepository.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Last> e = it.next();
            if (!e.getValue().at().isBefore(horizon) && byRepository.size() <= bound) {
                break;
            }
            if (e.getValue().failed()) {
                failed--;
            }
            it.remove();
        }
    }
}

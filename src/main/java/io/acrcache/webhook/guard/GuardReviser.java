package io.acrcache.webhook.guard;

import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.PlanReviser;
import io.acrcache.webhook.admission.PodPlan;
import io.acrcache.webhook.admission.ReviewContext;
import io.acrcache.webhook.admission.SkipReason;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The registry guard as admission's {@link PlanReviser}: each planned rewrite becomes a {@link Candidate}, the guard
 * decides, and a rewrite it does not confirm is withdrawn with the guard's skip reason. Any failure fails the stage,
 * and admission answers the review unchanged (fail open).
 */
public final class GuardReviser implements PlanReviser {
    private final Supplier<Guard> guard;

    /** @param guard the guard now (it follows config reloads), null while it is off */
    public GuardReviser(Supplier<Guard> guard) {
        this.guard = guard;
    }

    @Override
    public CompletionStage<PodPlan> revise(ReviewContext context, PodPlan plan, String timeoutQuery) {
        Guard g = guard.get();
        if (g == null) {
            return CompletableFuture.completedFuture(plan);
        }
        List<Candidate> candidates = candidates(plan);
        Duration budget = InlineBudget.of(g.settings().inlineBudget(), timeoutQuery);
        return g.resolve(candidates, budget, context.dryRun())
                .map(verdicts -> apply(plan, verdicts))
                .toCompletionStage();
    }

    /** The guard's view of each planned rewrite, in the plan's order. */
    public static List<Candidate> candidates(PodPlan plan) {
        List<Candidate> out = new ArrayList<>();
        for (ImageDecision d : plan.decisions()) {
            if (d.isRewrite()) {
                out.add(candidate(d));
            }
        }
        return out;
    }

    static Candidate candidate(ImageDecision d) {
        String rewritten = d.rewritten();
        String loginServer = rewritten.substring(0, rewritten.indexOf('/'));
        String tag = d.reference().tag();
        String digest = d.reference().digest();
        if (tag == null && digest == null) {
            tag = "latest"; // what the runtime pulls for a name without tag or digest
        }
        return new Candidate(
                d.match().rule().name(), loginServer, d.match().targetRepository(), tag, digest, rewritten);
    }

    /**
     * The plan with each rewrite the guard did not confirm left as written; {@code verdicts} are in the order of
     * {@link #candidates}.
     */
    public static PodPlan apply(PodPlan plan, List<Verdict> verdicts) {
        int rewrites = 0;
        for (ImageDecision d : plan.decisions()) {
            rewrites += d.isRewrite() ? 1 : 0;
        }
        if (rewrites != verdicts.size()) {
            throw new IllegalStateException(
                    "guard answered " + verdicts.size() + " verdicts for " + rewrites + " images");
        }
        List<ImageDecision> revised = new ArrayList<>(plan.decisions().size());
        int next = 0;
        boolean changed = false;
        for (ImageDecision d : plan.decisions()) {
            if (d.isRewrite()) {
                Verdict v = verdicts.get(next++);
                if (!v.rewrite()) {
                    SkipReason reason = SkipReason.guard(v.skipLabel());
                    d = d.leave(reason == null ? SkipReason.GUARD_UNVERIFIED : reason);
                    changed = true;
                }
            }
            revised.add(d);
        }
        return changed ? plan.withDecisions(revised) : plan;
    }
}

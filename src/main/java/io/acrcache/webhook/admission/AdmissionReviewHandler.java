package io.acrcache.webhook.admission;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Mode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * AdmissionReview in, AdmissionReview out; no transport. A well-formed review always gets an answer: any failure past
 * the envelope is admitted unchanged with a warning (this webhook fails open, it must never be the reason a Pod cannot
 * start). Two steps, {@link #plan} then {@link #answer}, so that a caller may revise the plan in between.
 */
public final class AdmissionReviewHandler {
    public static final String API_VERSION = "admission.k8s.io/v1";
    public static final String ORIGINAL_IMAGES_ANNOTATION = "acr-cache-webhook.io/original-images";
    /** The registry guard's state for each image it left alone: {@code {"containers/app":"unverified"}}. */
    public static final String GUARD_ANNOTATION = "acr-cache-webhook.io/guard";

    static final int MAX_WARNINGS = 10;

    private final Supplier<LoadedConfig> config;
    private final PlanReviser reviser;

    /** A handler that answers every plan as planned. */
    public AdmissionReviewHandler(Supplier<LoadedConfig> config) {
        this(config, null);
    }

    /** @param reviser asked about every plan with rewrites before it is answered; null for none */
    public AdmissionReviewHandler(Supplier<LoadedConfig> config, PlanReviser reviser) {
        this.config = config;
        this.reviser = reviser;
    }

    /**
     * The transport's one entry: plans, lets the {@link PlanReviser} revise a plan with rewrites, answers. Completes at
     * once unless the reviser waits (never blocking); never completes exceptionally: a failing reviser answers the
     * review unchanged.
     *
     * @param revise false for reviews that must not be revised (the warm-up's synthetic ones)
     * @param timeoutQuery the apiserver's {@code ?timeout=} value, handed to the reviser
     * @throws MalformedReviewException when the body is not an AdmissionReview with a uid (a 400, not an answer)
     */
    public CompletionStage<AdmissionResult> review(
            byte[] body, int offset, int length, Mode forcedMode, boolean revise, String timeoutQuery)
            throws MalformedReviewException {
        ReviewPlan planned = plan(body, offset, length, forcedMode);
        if (!(planned instanceof ReviewPlan.Planned p)) {
            return CompletableFuture.completedFuture(((ReviewPlan.Answered) planned).result());
        }
        if (!revise || reviser == null || !p.plan().hasRewrites()) {
            return CompletableFuture.completedFuture(answer(p.context(), p.plan()));
        }
        ReviewContext context = p.context();
        try {
            return reviser.revise(context, p.plan(), timeoutQuery)
                    .handle((revised, error) ->
                            error != null ? context.errored(unwrap(error)) : answer(context, revised));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(context.errored(e));
        }
    }

    /**
     * Plans and answers in one go.
     *
     * @param forcedMode {@link Mode#AUDIT} for the audit endpoint; null to use the configured mode
     */
    public AdmissionResult handle(byte[] body, Mode forcedMode) throws MalformedReviewException {
        return handle(body, 0, body.length, forcedMode);
    }

    /**
     * {@link #handle(byte[], Mode)} of the {@code length} bytes at {@code offset}: a transport's buffer, not copied.
     */
    public AdmissionResult handle(byte[] body, int offset, int length, Mode forcedMode)
            throws MalformedReviewException {
        ReviewPlan planned = plan(body, offset, length, forcedMode);
        if (planned instanceof ReviewPlan.Planned p) {
            return answer(p.context(), p.plan());
        }
        return ((ReviewPlan.Answered) planned).result();
    }

    /**
     * Reads the review and decides every image of the Pod; pure, no answer written yet unless the review needs no plan.
     *
     * @param forcedMode {@link Mode#AUDIT} for the audit endpoint; null to use the configured mode
     * @throws MalformedReviewException when the body is not an AdmissionReview with a uid (a 400, not an answer)
     */
    public ReviewPlan plan(byte[] body, Mode forcedMode) throws MalformedReviewException {
        return plan(body, 0, body.length, forcedMode);
    }

    /** {@link #plan(byte[], Mode)} of the {@code length} bytes at {@code offset}: a transport's buffer, not copied. */
    public ReviewPlan plan(byte[] body, int offset, int length, Mode forcedMode) throws MalformedReviewException {
        LoadedConfig cfg = config.get();
        ReviewReader.Request request =
                ReviewReader.read(body, offset, length, cfg.settings().optOutAnnotation());
        Mode mode = forcedMode != null ? forcedMode : cfg.settings().mode();
        String operation = request.operation() == null ? "unknown" : request.operation();
        String subResource = request.subResource() == null ? "" : request.subResource();
        boolean ephemeral = "UPDATE".equals(operation) && "ephemeralcontainers".equals(subResource);
        PodView pod = request.object();
        ReviewContext context = new ReviewContext(
                request.uid(),
                operation,
                mode,
                request.dryRun(),
                request.namespace(),
                podName(pod, request),
                pod,
                ephemeral);
        try {
            boolean isPod =
                    "Pod".equals(request.kindKind()) && request.kindGroup().isEmpty();
            PodPlan plan;
            if (!isPod || pod == null) {
                return new ReviewPlan.Answered(context.skipped(List.of()));
            } else if ("CREATE".equals(operation) && subResource.isEmpty()) {
                plan = PodPlanner.forCreate(cfg, context.namespace(), pod);
            } else if (ephemeral) {
                plan = PodPlanner.forEphemeralUpdate(cfg, context.namespace(), pod, request.oldObject());
            } else {
                return new ReviewPlan.Answered(context.skipped(List.of()));
            }
            if (plan.podSkip() != null) {
                return new ReviewPlan.Answered(context.skipped(plan.decisions()));
            }
            return new ReviewPlan.Planned(context, plan);
        } catch (RuntimeException | StackOverflowError e) {
            return new ReviewPlan.Answered(context.errored(e));
        }
    }

    /**
     * The answer to a planned review: the patch for its rewrites (none in audit mode) and a warning per rewrite. Images
     * the registry guard left alone ({@link SkipReason#guardState()}) get a warning each and their state in
     * {@link #GUARD_ANNOTATION}; when the guard left every image, the patch holds that annotation alone.
     */
    public AdmissionResult answer(ReviewContext context, PodPlan plan) {
        try {
            if (!plan.hasRewrites() && !plan.hasGuardSkips() && !plan.correctsRecord()) {
                return context.unchanged(plan.decisions(), List.of());
            }
            List<String> warnings = warnings(plan, context.mode());
            if (context.mode() == Mode.AUDIT) {
                return context.unchanged(plan.decisions(), warnings);
            }
            byte[] patch = PatchBuilder.build(
                    plan, context.pod(), ORIGINAL_IMAGES_ANNOTATION, GUARD_ANNOTATION, !context.ephemeral());
            if (patch == null) {
                return context.unchanged(plan.decisions(), warnings);
            }
            return context.patched(plan.decisions(), patch, warnings);
        } catch (RuntimeException | StackOverflowError e) {
            return context.errored(e);
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static String podName(PodView pod, ReviewReader.Request request) {
        if (pod != null && !pod.metadata().name().isEmpty()) {
            return pod.metadata().name();
        }
        if (pod != null && !pod.metadata().generateName().isEmpty()) {
            return pod.metadata().generateName() + "*";
        }
        return request.name() == null ? "" : request.name();
    }

    private static List<String> warnings(PodPlan plan, Mode mode) {
        List<String> out = new ArrayList<>();
        int rewrites = 0;
        int guarded = 0;
        String prefix = mode == Mode.AUDIT ? "acr-cache-webhook (audit, not applied): " : "acr-cache-webhook: ";
        for (ImageDecision d : plan.decisions()) {
            if (d.isRewrite()) {
                rewrites++;
                if (out.size() < MAX_WARNINGS) {
                    out.add(prefix + d.kind().field() + " \"" + d.container() + "\" image " + d.original() + " -> "
                            + d.rewritten());
                }
            } else if (d.skipReason().guardState() != null) {
                guarded++;
                if (out.size() < MAX_WARNINGS) {
                    out.add(prefix + d.kind().field() + " \"" + d.container() + "\" image " + d.original()
                            + " left as written: " + guardWhy(d.skipReason()) + " ("
                            + d.skipReason().label() + ")");
                }
            }
        }
        if (rewrites + guarded > MAX_WARNINGS) {
            out.add("acr-cache-webhook: " + (rewrites + guarded - MAX_WARNINGS) + " more images "
                    + (mode == Mode.AUDIT ? "would be " : "")
                    + (guarded == 0
                            ? "rewritten, see annotation " + ORIGINAL_IMAGES_ANNOTATION
                            : "rewritten or left by the registry guard, see annotations " + ORIGINAL_IMAGES_ANNOTATION
                                    + " and " + GUARD_ANNOTATION));
        }
        return out;
    }

    private static String guardWhy(SkipReason reason) {
        return switch (reason) {
            case GUARD_NOT_SERVABLE -> "the cache cannot serve it";
            case GUARD_UNHEALTHY -> "the cache answered with an error";
            case GUARD_BREAKER_OPEN -> "the guard's breaker for its cache rule or registry is open";
            case GUARD_NO_TOKEN -> "the guard has no registry token yet";
            case GUARD_REALM_REFUSED -> "the registry asked for a token from another host, which the guard refuses";
            case GUARD_NOT_CHECKED -> "the cache was not checked (dry run, or too many checks in flight)";
            default -> "the cache could not be checked in time";
        };
    }
}

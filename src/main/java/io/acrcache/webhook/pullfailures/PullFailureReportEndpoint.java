package io.acrcache.webhook.pullfailures;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /pull-failures}: the report as JSON, newest first, filtered by {@code namespace}, {@code category} and
 * {@code since}. The filters are read on the event loop; the snapshot and its serialization (up to maxEntries entries)
 * run on a worker.
 */
public final class PullFailureReportEndpoint implements Handler<RoutingContext> {
    public static final String PATH = "/pull-failures";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> PARAMS = Set.of("namespace", "category", "since");

    private final PullFailureStore store;
    private final Clock clock;
    private final Supplier<EventWatcher.State> watch;

    /**
     * @param watch the event watch's state, shown beside the entries: an empty report of a watch that cannot reach the
     *     API server must not read as "no failures"
     */
    public PullFailureReportEndpoint(PullFailureStore store, Clock clock, Supplier<EventWatcher.State> watch) {
        this.store = store;
        this.clock = clock;
        this.watch = watch;
    }

    /** The document the endpoint answers with. */
    public record Report(String generatedAt, int total, Watch watch, List<ReportEntry> entries) {}

    /** {@code state}: {@code connecting}, {@code synced} or {@code unreachable}; {@code since}: when it became so. */
    public record Watch(String state, String since, String detail) {
        static Watch of(EventWatcher.State s) {
            return new Watch(s.phase().label(), s.since().toString(), s.detail());
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        ReportQuery query;
        try {
            query = parse(ctx.queryParams(), clock.instant());
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        ctx.vertx()
                .executeBlocking(
                        () -> {
                            List<ReportEntry> entries = store.query(query);
                            return JSON.writeValueAsBytes(new Report(
                                    clock.instant().toString(), entries.size(), Watch.of(watch.get()), entries));
                        },
                        false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        ctx.response()
                                .putHeader("content-type", "application/json")
                                .end(Buffer.buffer(ar.result()));
                    } else {
                        error(ctx, 500, "report failed: " + ar.cause().getMessage());
                    }
                });
    }

    static ReportQuery parse(MultiMap params, Instant now) {
        for (String name : params.names()) {
            if (!PARAMS.contains(name)) {
                throw new IllegalArgumentException(
                        "unknown parameter '" + name + "': use namespace, category or since");
            }
        }
        String namespace = single(params, "namespace");
        String categoryText = single(params, "category");
        FailureCategory category = null;
        if (categoryText != null) {
            category = FailureCategory.fromLabel(categoryText)
                    .orElseThrow(() ->
                            new IllegalArgumentException("category: '" + categoryText + "' is not one of " + labels()));
        }
        String sinceText = single(params, "since");
        Instant since = sinceText == null ? null : SinceParser.parse(sinceText, now);
        return new ReportQuery(namespace, category, since);
    }

    private static String single(MultiMap params, String name) {
        List<String> values = params.getAll(name);
        if (values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new IllegalArgumentException(name + ": give it once");
        }
        String v = values.get(0).trim();
        if (v.isEmpty()) {
            throw new IllegalArgumentException(name + ": empty value");
        }
        return v;
    }

    private static String labels() {
        StringBuilder sb = new StringBuilder();
        for (FailureCategory c : FailureCategory.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(c.label());
        }
        return sb.toString();
    }

    static void error(RoutingContext ctx, int status, String message) {
        ObjectNode body = JSON.createObjectNode().put("error", message);
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(JSON.writeValueAsString(body));
    }
}

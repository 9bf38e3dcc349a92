package io.acrcache.webhook.status;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.Settings;
import io.acrcache.webhook.doctor.Check;
import io.acrcache.webhook.pullfailures.FailureCategory;
import io.acrcache.webhook.pullfailures.ReportEntry;
import io.acrcache.webhook.rules.CompiledRule;
import io.acrcache.webhook.rulesync.RegistryRules.RuleCredential;
import io.acrcache.webhook.rulesync.RegistryRules.SkippedRule;
import io.acrcache.webhook.rulesync.SyncStatus;
import io.acrcache.webhook.status.StatusInputs.BreakerView;
import io.acrcache.webhook.status.StatusInputs.GuardView;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code GET /} on the ops listener: one self-contained HTML page (inline CSS, no script, no external resource:
 * clusters are often offline) that refreshes itself. Everything shown is bounded: the ring of recent decisions, the
 * report's own limits, at most {@link #ENTRIES_PER_CATEGORY} report lines per category.
 */
public final class StatusPage implements Handler<RoutingContext> {
    public static final String PATH = "/";
    static final int RECENT = 200;
    static final int SHOWN = 50;
    static final int ENTRIES_PER_CATEGORY = 20;
    static final int REFRESH_SECONDS = 15;

    private final StatusInputs in;
    private final RecentDecisions decisions;
    private final Clock clock;

    StatusPage(StatusInputs in, RecentDecisions decisions, Clock clock) {
        this.in = in;
        this.decisions = decisions;
        this.clock = clock;
    }

    /** The page with a ring of the last {@value #RECENT} decisions; feed it {@link #recorder()}. */
    public static StatusPage create(StatusInputs in) {
        return new StatusPage(in, new RecentDecisions(RECENT, Clock.systemUTC()), Clock.systemUTC());
    }

    /** Adds {@code GET /} to the ops router (behind {@code ops.auth} like every route mounted there). */
    public void mount(Router ops) {
        ops.get(PATH).handler(this);
    }

    /** The admission observer's hook: records each answered review's decisions. */
    public Consumer<AdmissionResult> recorder() {
        return decisions;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                // nothing on the page loads from elsewhere; say so to the browser too
                .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
                .end(render());
    }

    String render() {
        LoadedConfig config = in.config().get();
        Settings settings = config.settings();
        Instant now = clock.instant();
        Html h = new Html();
        h.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .raw("<meta http-equiv=\"refresh\" content=\"" + REFRESH_SECONDS + "\">")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .raw("<title>acr-cache-webhook status</title><style>")
                .raw(CSS)
                .raw("</style></head><body>");
        h.raw("<header><h1>acr-cache-webhook</h1><p>")
                .el("span", "tag", "version " + in.version())
                .el("span", "tag", "login server " + settings.acrLoginServer())
                .el("span", "tag", "mode " + settings.mode().name().toLowerCase(java.util.Locale.ROOT))
                .el(
                        "span",
                        "muted",
                        "as of " + now.truncatedTo(ChronoUnit.SECONDS) + ", refreshed every " + REFRESH_SECONDS + " s")
                .raw("</p></header>");
        SyncStatus sync = in.sync().get();
        GuardView guard = in.guard().get();
        rulesSource(h, config, sync, now);
        rules(h, config, sync, guard);
        lastHour(h);
        recent(h);
        pullFailures(h, in.pullFailures().get());
        doctor(h, in.doctor().get());
        return h.raw("</body></html>").toString();
    }

    private static void rulesSource(Html h, LoadedConfig config, SyncStatus sync, Instant now) {
        Settings.Registry registry = config.settings().registry();
        h.raw("<section id=\"source\"><h2>Where the rules come from</h2><p>");
        if (sync == null) {
            h.text("The configuration (rules from: " + config.origin("rules").label()
                    + "); no registry sync (registry.resourceId is empty).");
        } else {
            h.text(
                    registry.ruleSync()
                            ? "Registry sync: the rules are the registry's, read over ARM from "
                            : "The configuration file; the registry is only compared with it (registry.ruleSync is false): ");
            h.el("code", null, registry.resourceId());
            h.raw("</p><table>")
                    .head("last success", "last attempt", "result", "next attempt", "failures in a row")
                    .row(
                            ago(sync.lastSuccess(), now),
                            ago(sync.lastAttempt(), now),
                            sync.result(),
                            sync.nextAttempt() == null ? "" : sync.nextAttempt().truncatedTo(ChronoUnit.SECONDS),
                            sync.consecutiveFailures())
                    .raw("</table><p>");
            if (sync.error() != null) {
                h.el("span", "bad", "last error: " + sync.error());
            }
            if (sync.drift() != null && !sync.drift().none()) {
                h.el(
                        "span",
                        "warn",
                        "file and registry differ: " + sync.drift().onlyInFile().size()
                                + " only in the file, "
                                + sync.drift().onlyInRegistry().size() + " only in the registry, "
                                + sync.drift().differentTargets().size() + " with other targets (see /rules)");
            }
        }
        h.raw("</p></section>");
    }

    private static void rules(Html h, LoadedConfig config, SyncStatus sync, GuardView guard) {
        List<CompiledRule> rules = config.ruleSet().rules();
        h.raw("<section id=\"rules\"><h2>Rules in force (").text(rules.size()).raw(")</h2>");
        if (guard == null) {
            h.el("p", "muted", "The registry guard is off (guard.enabled=false): no breakers.");
        } else {
            BreakerView reg = guard.registry(config.settings().acrLoginServer());
            h.raw("<p>Login server breaker: ")
                    .el("span", reg.closed() ? "ok" : "bad", reg.state())
                    .text(reg.reason().isEmpty() ? "" : " (" + reg.reason() + ")")
                    .raw("</p>");
        }
        Map<String, RuleCredential> credentials = new LinkedHashMap<>();
        if (sync != null) {
            sync.credentials().forEach(c -> credentials.put(c.rule(), c));
        }
        h.raw("<table>").head("rule", "source", "target", "guard", "credential set");
        for (CompiledRule r : rules) {
            h.raw("<tr>")
                    .el("td", null, r.name())
                    .el("td", null, r.rule().source())
                    .el("td", null, r.rule().target());
            h.raw("<td>");
            if (guard == null) {
                h.el("span", "muted", "guard off");
            } else {
                BreakerView b = guard.rule(r.name());
                h.el("span", b.closed() ? "ok" : "bad", b.state() + (b.kubeletHold() ? ", held" : ""));
                if (b.kubeletHold()) {
                    h.text(" held by kubelet pull failures");
                }
                if (!b.reason().isEmpty() && !"closed".equals(b.state())) {
                    h.text(" " + b.reason());
                }
            }
            h.raw("</td><td>");
            RuleCredential c = credentials.get(r.name());
            if (c == null) {
                h.el("span", "muted", sync == null ? "n/a (rules from the file)" : "none");
            } else if (c.credentialSet() == null || c.credentialSet().isEmpty()) {
                h.el("span", "muted", "none (anonymous)");
            } else {
                h.text(c.credentialSet() + " ").el("span", c.healthy() ? "ok" : "bad", c.status());
                if (c.errorMessage() != null && !c.errorMessage().isEmpty()) {
                    h.text(" " + (c.errorCode() == null ? "" : c.errorCode() + ": ") + c.errorMessage());
                }
            }
            h.raw("</td></tr>");
        }
        h.raw("</table>");
        if (sync != null && !sync.skipped().isEmpty()) {
            h.raw("<p>Registry rules left out:</p><table>").head("rule", "why");
            for (SkippedRule s : sync.skipped()) {
                h.row(s.name(), s.reason());
            }
            h.raw("</table>");
        }
        h.raw("</section>");
    }

    private void lastHour(Html h) {
        h.raw("<section id=\"hour\"><h2>The last hour</h2><div class=\"cols\"><div>");
        counts(h, "Rewrites by rule", "rule", decisions.rewritesLastHour(), "No rewrites.");
        h.raw("</div><div>");
        counts(h, "Left alone by reason", "reason", decisions.skipsLastHour(), "No image left alone.");
        h.raw("</div></div></section>");
    }

    private static void counts(Html h, String title, String what, Map<String, Long> counts, String none) {
        h.el("h3", null, title);
        if (counts.isEmpty()) {
            h.el("p", "muted", none);
            return;
        }
        h.raw("<table>").head(what, "images");
        counts.forEach((k, v) -> h.row(k, v));
        h.raw("</table>");
    }

    private void recent(Html h) {
        List<RecentDecisions.Decision> recent = decisions.recent(SHOWN);
        h.raw("<section id=\"recent\"><h2>Recent decisions</h2>");
        if (recent.isEmpty()) {
            h.el("p", "muted", "No admission since the start.");
        } else {
            h.raw("<table>").head("time", "pod", "container", "image", "decision");
            for (RecentDecisions.Decision d : recent) {
                h.raw("<tr>")
                        .el("td", null, Instant.ofEpochMilli(d.epochMillis()).truncatedTo(ChronoUnit.SECONDS))
                        .el("td", null, d.namespace() + "/" + d.pod())
                        .el("td", null, d.container())
                        .el("td", null, d.original())
                        .raw("<td>");
                String mode = d.mode().isEmpty() ? "" : " (" + d.mode() + ")";
                if (d.isRewrite()) {
                    h.el("span", "ok", "rewritten").text(" → " + d.rewritten() + " by " + d.rule() + mode);
                } else {
                    h.el("span", "skip", "left alone").text(" " + d.skipReason() + mode);
                }
                h.raw("</td></tr>");
            }
            h.raw("</table>");
        }
        h.raw("</section>");
    }

    private static void pullFailures(Html h, List<ReportEntry> report) {
        h.raw("<section id=\"pull-failures\"><h2>Pull failures</h2>");
        if (report == null) {
            h.el("p", "muted", "The pull-failure report is off or cannot watch Events (see /pull-failures).");
        } else if (report.isEmpty()) {
            h.el("p", "ok", "No pull failures reported.");
        }
        Map<String, List<ReportEntry>> byCategory = new LinkedHashMap<>();
        for (FailureCategory c : FailureCategory.values()) {
            byCategory.put(c.label(), new ArrayList<>());
        }
        if (report != null) {
            report.forEach(e -> byCategory
                    .computeIfAbsent(e.category(), k -> new ArrayList<>())
                    .add(e));
        }
        byCategory.forEach((category, entries) -> {
            if (entries.isEmpty()) {
                return;
            }
            long pulls = entries.stream().mapToLong(ReportEntry::count).sum();
            h.raw("<h3>")
                    .el("span", "bad", category)
                    .text(": " + pulls + " failed pull(s) of " + entries.size() + " image(s)")
                    .raw("</h3>");
            Set<String> suggestions = new LinkedHashSet<>();
            entries.forEach(e -> {
                if (e.suggestion() != null && !e.suggestion().isEmpty()) {
                    suggestions.add(e.suggestion());
                }
            });
            for (String s : suggestions) {
                h.el("p", "hint", s);
            }
            h.raw("<table>").head("namespace", "image", "rule", "pulls", "last seen", "pods");
            entries.stream()
                    .limit(ENTRIES_PER_CATEGORY)
                    .forEach(e -> h.row(
                            e.namespace(),
                            e.image(),
                            e.rule() == null ? "" : e.rule(),
                            e.count(),
                            e.lastSeen(),
                            String.join(
                                            ", ",
                                            e.pods()
                                                    .subList(
                                                            0,
                                                            Math.min(3, e.pods().size())))
                                    + (e.pods().size() > 3 ? ", …" : "")));
            h.raw("</table>");
        });
        h.raw("</section>");
    }

    private static void doctor(Html h, List<Check> checks) {
        if (checks == null) {
            return;
        }
        h.raw("<section id=\"doctor\"><h2>Doctor</h2><table>").head("check", "status", "detail", "fix");
        for (Check c : checks) {
            String cls = switch (c.status()) {
                case PASS -> "ok";
                case WARN -> "warn";
                case FAIL -> "bad";
                default -> "muted";
            };
            h.raw("<tr>")
                    .el("td", null, c.title())
                    .raw("<td>")
                    .el("span", cls, c.status().label());
            h.raw("</td>")
                    .el("td", null, c.detail())
                    .el("td", null, c.fix() == null ? "" : c.fix())
                    .raw("</tr>");
        }
        h.raw("</table></section>");
    }

    /** {@code 2024-05-01T10:00:00Z (3m ago)}; "never" for null. */
    static String ago(Instant at, Instant now) {
        if (at == null) {
            return "never";
        }
        Duration d = Duration.between(at, now);
        String rel = d.isNegative()
                ? "just now"
                : d.toSeconds() < 120
                        ? d.toSeconds() + "s ago"
                        : d.toMinutes() < 120 ? d.toMinutes() + "m ago" : d.toHours() + "h ago";
        return at.truncatedTo(ChronoUnit.SECONDS) + " (" + rel + ")";
    }

    private static final String CSS =
            "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 1.5em 2em;"
                    + "color:#1b1f24;background:#fafbfc}h1{font-size:1.5em;margin:.6em 0 .2em}h2{font-size:1.15em;"
                    + "margin:1.4em 0 .4em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}h3{font-size:1em;margin:.8em 0 .3em}"
                    + "table{border-collapse:collapse;margin:.3em 0;background:#fff}th,td{border:1px solid #d0d7de;padding:.25em .6em;"
                    + "text-align:left;vertical-align:top}th{background:#f0f3f6}code{font-size:.95em}"
                    + ".tag{display:inline-block;background:#e7ecf2;border-radius:3px;padding:.05em .5em;margin-right:.5em}"
                    + ".muted{color:#656d76}.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}"
                    + ".warn{color:#9a6700;font-weight:600}.skip{color:#656d76;font-weight:600}.hint{background:#fff8c5;"
                    + "border-left:3px solid #d4a72c;padding:.3em .6em;margin:.3em 0}.cols{display:flex;gap:2em;flex-wrap:wrap}"
                    + "td:nth-child(4){word-break:break-all}";
}

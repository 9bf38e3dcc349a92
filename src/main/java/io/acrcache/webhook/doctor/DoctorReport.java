package io.acrcache.webhook.doctor;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The checks in chain order, rendered as JSON ({@code --output json}, {@code GET /doctor}) or as a checklist. */
public record DoctorReport(List<Check> checks) {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public DoctorReport {
        checks = List.copyOf(checks);
    }

    public boolean failed() {
        return checks.stream().anyMatch(c -> c.status() == Check.Status.FAIL);
    }

    /** 0 when no check fails, 1 when any does (2, bad arguments, is the command's). */
    public int exitCode() {
        return failed() ? 1 : 0;
    }

    public List<Check> failures() {
        return checks.stream().filter(c -> c.status() == Check.Status.FAIL).toList();
    }

    /** {@code {"checks": [{"id", "title", "status", "detail", "fix"}]}}; {@code fix} is null when there is none. */
    public String json() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode list = root.putArray("checks");
        for (Check c : checks) {
            ObjectNode o = list.addObject();
            o.put("id", c.id());
            o.put("title", c.title());
            o.put("status", c.status().label());
            o.put("detail", c.detail());
            if (c.fix() == null) {
                o.putNull("fix");
            } else {
                o.put("fix", c.fix());
            }
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    /** A checklist: one block per check, then a count by status. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        Map<Check.Status, Integer> counts = new EnumMap<>(Check.Status.class);
        for (Check c : checks) {
            counts.merge(c.status(), 1, Integer::sum);
            sb.append(String.format("[%-4s] %s (%s)%n", c.status().name(), c.title(), c.id()));
            if (!c.detail().isEmpty()) {
                sb.append("       ")
                        .append(c.detail().replace("\n", "\n       "))
                        .append('\n');
            }
            if (c.fix() != null) {
                sb.append("       fix: ")
                        .append(c.fix().replace("\n", "\n            "))
                        .append('\n');
            }
        }
        sb.append(counts.getOrDefault(Check.Status.PASS, 0))
                .append(" passed, ")
                .append(counts.getOrDefault(Check.Status.WARN, 0))
                .append(" warning(s), ")
                .append(counts.getOrDefault(Check.Status.FAIL, 0))
                .append(" failed, ")
                .append(counts.getOrDefault(Check.Status.SKIP, 0))
                .append(" skipped\n");
        return sb.toString();
    }
}

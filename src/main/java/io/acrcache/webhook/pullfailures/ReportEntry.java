package io.acrcache.webhook.pullfailures;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * One line of the report, as {@code GET /pull-failures} serializes it: all rate-limited pulls of one image in one
 * namespace for one reason. Times are RFC 3339 instants (UTC).
 */
@JsonPropertyOrder({
    "namespace",
    "image",
    "category",
    "registry",
    "rule",
    "suggestion",
    "count",
    "firstSeen",
    "lastSeen",
    "pods",
    "containers",
    "nodes",
    "message"
})
public record ReportEntry(
        String namespace,
        String image,
        String category,
        String registry,
        String rule,
        String suggestion,
        long count,
        String firstSeen,
        String lastSeen,
        List<String> pods,
        List<String> containers,
        List<String> nodes,
        String message) {}

package io.acrcache.webhook.pullfailures;

import java.time.Instant;

/** Filters of the report; a {@code null} field does not filter. */
public record ReportQuery(String namespace, FailureCategory category, Instant since) {
    public static final ReportQuery ALL = new ReportQuery(null, null, null);

    boolean accepts(String entryNamespace, FailureCategory entryCategory, Instant lastSeen) {
        return (namespace == null || namespace.equals(entryNamespace))
                && (category == null || category == entryCategory)
                && (since == null || !lastSeen.isBefore(since));
    }
}

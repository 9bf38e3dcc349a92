package io.acrcache.webhook.pullfailures;

import java.time.Instant;

/**
 * One kubelet Event about a failed image pull, reduced to what the report needs.
 *
 * @param eventUid the Event's uid: repeats of the same failure update this Event's count
 * @param namespace the Pod's namespace
 * @param pod the Pod's name
 * @param container the container named in {@code involvedObject.fieldPath}, or {@code null}
 * @param node the node ({@code source.host} or {@code reportingInstance}), or {@code null}
 * @param image the image exactly as the Pod spec names it
 * @param message the Event's message
 * @param rateLimited whether the registry refused the pull for rate limiting
 * @param count how often the kubelet saw this failure (the Event's count, at least 1)
 * @param firstSeen first occurrence
 * @param lastSeen latest occurrence
 */
public record PullFailure(
        String eventUid,
        String namespace,
        String pod,
        String container,
        String node,
        String image,
        String message,
        boolean rateLimited,
        int count,
        Instant firstSeen,
        Instant lastSeen) {}

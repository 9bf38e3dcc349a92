package io.acrcache.webhook.pullfailures;

/**
 * Why a rate-limited pull happened and what to do about it.
 *
 * @param category the cause, as the report and metric name it
 * @param registry the upstream registry host ({@code docker.io}, ...), bounded for metric labels: a host that is
 *     neither Docker Hub nor a rule's source is {@code other}
 * @param rule the cache rule that covers (or would cover) the image, or {@code null}
 * @param suggestion one line: the fix
 */
public record Explanation(FailureCategory category, String registry, String rule, String suggestion) {}

package io.acrcache.webhook.pullfailures;

/**
 * A failed pull from the ACR login server that the kubelet itself vouches for: the Pod exists, was rewritten by the
 * webhook, and its status (which only its node's kubelet may write) shows the image waiting on a pull error on the node
 * the Event names. What the registry guard hears; an Event alone never becomes one.
 *
 * @param rule the webhook's rule whose target holds the image
 * @param image the reference the Pod names ({@code <login server>/<repository>[:tag][@digest]})
 * @param category why the pull failed
 * @param pod the Pod as {@code namespace/name}
 * @param node the node whose kubelet failed
 */
public record KubeletFailure(String rule, String image, FailureCategory category, String pod, String node) {}

package io.acrcache.webhook.opsauth;

import io.vertx.core.Future;

/** Decides whether the holder of a bearer token may read an ops path. Never blocks; the future never fails. */
public interface AccessReviewer {
    /**
     * @param token the bearer token as presented
     * @param path the request's path, without its query (a non-resource URL in RBAC terms)
     */
    Future<AccessDecision> review(String token, String path);
}

package io.acrcache.webhook.azure;

import io.vertx.core.Future;

/** Where {@link RuleSync} gets a registry's rules from: ARM in production, anything in tests. */
@FunctionalInterface
public interface RegistrySnapshotSource {
    /** A complete snapshot, or a failure carrying an {@link io.acrcache.webhook.outbound.OutboundException}. */
    Future<RegistrySnapshot> fetch();
}

package io.acrcache.webhook.azure;

import io.acrcache.webhook.cloud.RegistryResourceId;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A registry's cache rules and credential sets as ARM listed them at {@code fetchedAt}, complete (every page) or not at
 * all.
 */
public record RegistrySnapshot(
        List<CacheRuleResource> cacheRules, List<CredentialSetResource> credentialSets, Instant fetchedAt) {

    public RegistrySnapshot {
        cacheRules = List.copyOf(cacheRules);
        credentialSets = List.copyOf(credentialSets);
    }

    /** {@code Microsoft.ContainerRegistry/registries/cacheRules}. */
    public record CacheRuleResource(
            String name,
            String id,
            String sourceRepository,
            String targetRepository,
            String credentialSetResourceId,
            String provisioningState) {
        public boolean succeeded() {
            return "Succeeded".equalsIgnoreCase(provisioningState);
        }
    }

    /** {@code Microsoft.ContainerRegistry/registries/credentialSets}. */
    public record CredentialSetResource(
            String name,
            String id,
            String loginServer,
            String provisioningState,
            List<AuthCredential> authCredentials) {
        public CredentialSetResource {
            authCredentials = List.copyOf(authCredentials);
        }

        /** Healthy when it has credentials and every one reports {@code Healthy}. */
        public boolean healthy() {
            return !authCredentials.isEmpty()
                    && authCredentials.stream()
                            .allMatch(a -> a.health() != null && a.health().healthy());
        }

        /** The first credential that is not healthy, for its error code and message. */
        public Optional<AuthCredential> firstUnhealthy() {
            return authCredentials.stream()
                    .filter(a -> a.health() == null || !a.health().healthy())
                    .findFirst();
        }
    }

    /** One of a credential set's credentials (ACR has one, {@code Credential1}); secrets' URIs are not kept. */
    public record AuthCredential(String name, CredentialHealth health) {}

    /** {@code credentialHealth}: status is an open set, {@code Healthy} or {@code Unhealthy} today. */
    public record CredentialHealth(String status, String errorCode, String errorMessage) {
        public boolean healthy() {
            return "Healthy".equalsIgnoreCase(status);
        }
    }

    /** The credential set a rule refers to, matched case-insensitively by ARM ID. */
    public Optional<CredentialSetResource> credentialSet(String resourceId) {
        if (resourceId == null || resourceId.isBlank()) {
            return Optional.empty();
        }
        String wanted = RegistryResourceId.normalize(resourceId);
        return credentialSets.stream()
                .filter(c -> wanted.equals(RegistryResourceId.normalize(c.id())))
                .findFirst();
    }
}

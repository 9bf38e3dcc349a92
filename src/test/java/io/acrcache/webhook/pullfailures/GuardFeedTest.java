package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.guard.PullFailureKind;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Which report categories the guard hears, and as what. */
class GuardFeedTest {
    @Test
    void everyCacheSideCategoryHasAGuardKindAndBlobFailuresAreTheirOwn() {
        Map<FailureCategory, PullFailureKind> kinds = new EnumMap<>(FailureCategory.class);
        for (FailureCategory c : FailureCategory.values()) {
            PullFailureKind k = GuardFeed.kind(c);
            if (k != null) {
                kinds.put(c, k);
            }
        }
        assertEquals(PullFailureKind.BLOB_FAILED, kinds.get(FailureCategory.CACHE_BLOB_FAILED));
        assertEquals(PullFailureKind.NOT_FOUND, kinds.get(FailureCategory.CACHE_NOT_FOUND));
        assertFalse(kinds.containsKey(FailureCategory.NOT_REWRITTEN));
        assertFalse(kinds.containsKey(FailureCategory.NOT_COVERED));
        assertEquals(FailureCategory.values().length - 2, kinds.size());
    }

    @Test
    void nobodyListensWhileTheGuardIsOff() {
        assertFalse(new GuardFeed(() -> null).listening());
    }
}

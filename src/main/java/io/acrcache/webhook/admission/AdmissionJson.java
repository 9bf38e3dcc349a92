package io.acrcache.webhook.admission;

import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one Jackson mapper of the admission path (reading reviews, writing patches and answers). Its buffers are recycled
 * per thread: admission runs on a few long-lived event-loop threads, where a thread-local pool costs nothing, while
 * Jackson 3's default pool (shared concurrent deques, for virtual threads) costs a synchronized hand-over per parser
 * and generator.
 */
final class AdmissionJson {
    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.threadLocalPool())
                    .build())
            .build();

    private AdmissionJson() {}
}

package io.acrcache.webhook.admission;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;

import java.io.OutputStream;

/**
 * The Jackson streaming factory of the admission path (reading reviews, writing patches and answers), used without a
 * mapper: every read and write here is token by token, and a mapper would build a (de)serialization context for each
 * parser and generator. Buffers are recycled per thread: admission runs on a few long-lived event-loop threads, where a
 * thread-local pool costs nothing, while Jackson 3's default pool (shared concurrent deques, made for virtual threads)
 * costs a hand-over per parser and generator.
 */
final class AdmissionJson {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.threadLocalPool())
            .build();

    private AdmissionJson() {}

    static JsonParser parser(byte[] content, int offset, int length) {
        return FACTORY.createParser(ObjectReadContext.empty(), content, offset, length);
    }

    static JsonParser parser(String content) {
        return FACTORY.createParser(ObjectReadContext.empty(), content);
    }

    static JsonGenerator generator(OutputStream out) {
        return FACTORY.createGenerator(ObjectWriteContext.empty(), out);
    }
}

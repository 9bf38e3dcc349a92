package io.acrcache.webhook.admission;

/** RFC 6901 reference tokens: '~' and '/' inside a key must be escaped, in that order. */
final class JsonPointer {
    private JsonPointer() {}

    static String escape(String token) {
        if (token.indexOf('~') < 0 && token.indexOf('/') < 0) {
            return token;
        }
        return token.replace("~", "~0").replace("/", "~1");
    }
}

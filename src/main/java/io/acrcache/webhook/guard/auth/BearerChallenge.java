package io.acrcache.webhook.guard.auth;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code Www-Authenticate: Bearer realm="...",service="...",scope="..."} challenge (distribution's token
 * authentication spec). ACR's realm is {@code https://<login>/oauth2/token}; other registries put it on another host.
 */
public record BearerChallenge(String realm, String service, String scope, String error, String errorDescription) {

    public static Optional<BearerChallenge> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.trim();
        if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        int i = 7;
        int n = h.length();
        while (i < n) {
            while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
                i++;
            }
            int eq = h.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = h.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            String value;
            if (i < n && h.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (i < n && h.charAt(i) != '"') {
                    if (h.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    sb.append(h.charAt(i++));
                }
                i++; // closing quote
                value = sb.toString();
            } else {
                int end = h.indexOf(',', i);
                end = end < 0 ? n : end;
                value = h.substring(i, end).trim();
                i = end;
            }
            params.put(key, value);
        }
        String realm = params.get("realm");
        if (realm == null || realm.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new BearerChallenge(
                realm,
                params.getOrDefault("service", ""),
                params.get("scope"),
                params.get("error"),
                params.get("error_description")));
    }
}

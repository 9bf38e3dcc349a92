package io.acrcache.webhook.config;

import java.util.Locale;

/**
 * One configuration key: its path in the YAML file, the environment variable that overrides it, its default as text and
 * what it does. The catalogue of these drives the loader, {@code --help} and the README table, so the three cannot
 * drift apart.
 */
public record SettingDef(String path, String defaultText, String description) {

    /** {@code server.tlsCertFile} → {@code ACW_SERVER_TLS_CERT_FILE}. */
    public String env() {
        StringBuilder sb = new StringBuilder("ACW_");
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '.') {
                sb.append('_');
            } else if (Character.isUpperCase(c)) {
                sb.append('_').append(c);
            } else {
                sb.append(Character.toUpperCase(c));
            }
        }
        return sb.toString().toUpperCase(Locale.ROOT);
    }
}

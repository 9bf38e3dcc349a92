package io.acrcache.webhook.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** "Did you mean" for a misspelt key: the known key or section nearest to it. */
final class Suggestions {
    private Suggestions() {}

    /** "; did you mean server.port?" for the known key (or section) nearest a misspelt one; empty if none is near. */
    static String didYouMean(String path) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        List<String> known = new ArrayList<>(SettingsCatalog.BY_PATH.keySet());
        known.addAll(SettingsCatalog.SECTIONS);
        known.sort(null);
        for (String candidate : known) {
            int d = distance(path.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        // a few typos, not a different word: at most a third of the name
        return best != null && bestDistance <= Math.max(1, path.length() / 3) ? "; did you mean " + best + "?" : "";
    }

    /** Levenshtein distance (insert, delete, substitute). */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}

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

    /**
     * Edits from {@code a} to {@code b}: insert, delete, substitute, and swap of two neighbours (the commonest typo,
     * {@code mdoe}, is one edit, not two).
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

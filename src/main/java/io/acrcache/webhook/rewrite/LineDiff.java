package io.acrcache.webhook.rewrite;

import java.util.ArrayList;
import java.util.List;

/** Changed lines between two short texts, as unified-diff hunks without context lines. */
final class LineDiff {
    private LineDiff() {}

    /**
     * @param firstLine the 1-based line number of the texts' first line in their file
     * @return {@code @@ -a,n +b,m @@} hunks with their {@code -} and {@code +} lines; empty when equal
     */
    static List<String> hunks(String before, String after, int firstLine) {
        String[] a = before.split("\r?\n", -1);
        String[] b = after.split("\r?\n", -1);
        // longest common subsequence of lines: documents are small enough for the quadratic table
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                i++;
                j++;
                continue;
            }
            int i0 = i;
            int j0 = j;
            List<String> lines = new ArrayList<>();
            while (i < a.length || j < b.length) {
                if (i < a.length && j < b.length && a[i].equals(b[j])) {
                    break;
                }
                if (j >= b.length || (i < a.length && lcs[i + 1][j] >= lcs[i][j + 1])) {
                    lines.add("-" + a[i++]);
                } else {
                    lines.add("+" + b[j++]);
                }
            }
            // removed lines first, as diff -U0 prints them
            out.add("@@ -" + range(firstLine + i0, i - i0) + " +" + range(firstLine + j0, j - j0) + " @@");
            lines.stream().filter(l -> l.startsWith("-")).forEach(out::add);
            lines.stream().filter(l -> l.startsWith("+")).forEach(out::add);
        }
        return out;
    }

    private static String range(int start, int count) {
        return count == 1 ? String.valueOf(start) : (count == 0 ? start - 1 : start) + "," + count;
    }
}

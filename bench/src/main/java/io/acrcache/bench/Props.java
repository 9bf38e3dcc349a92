package io.acrcache.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Benchmark settings from system properties ({@code -Dbench.x=y}), with defaults. */
public final class Props {
    private Props() {}

    public static String string(String key, String fallback) {
        String v = System.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    public static int integer(String key, int fallback) {
        return Integer.parseInt(string(key, Integer.toString(fallback)));
    }

    public static boolean bool(String key, boolean fallback) {
        return Boolean.parseBoolean(string(key, Boolean.toString(fallback)));
    }

    /** {@code 15s}, {@code 500ms}, {@code 2m}, or a bare number of seconds. */
    public static Duration duration(String key, String fallback) {
        return parseDuration(string(key, fallback));
    }

    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase();
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        }
        if (t.endsWith("m")) {
            return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
        }
        return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
    }

    /** Whitespace-separated words; empty list for an empty value. */
    public static List<String> words(String key, String fallback) {
        String v = string(key, fallback);
        if (v.isBlank()) {
            return List.of();
        }
        return new ArrayList<>(Arrays.asList(v.trim().split("\\s+")));
    }

    /** Comma-separated items. */
    public static List<String> list(String key, String fallback) {
        List<String> out = new ArrayList<>();
        for (String s : string(key, fallback).split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}

package io.acrcache.webhook.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What must hold before the webhook takes traffic. Each part reports itself; draining (on SIGTERM) overrides everything
 * so endpoints drop the Pod before it stops. Companion features (the pull-failure report) are reported beside, not
 * required.
 */
public final class Readiness {
    public static final String ADMISSION_LISTENER = "admission-listener";
    /** Synthetic reviews have been through the admission path (it answers fast from the first real one). */
    public static final String WARM_UP = "warm-up";

    private final Map<String, Boolean> conditions = new ConcurrentHashMap<>();
    private final Map<String, String> notes = new ConcurrentHashMap<>();
    /** Companion features: reported by {@code /readyz}, never gating it (they must not take admission away). */
    private final Map<String, String> companions = new ConcurrentHashMap<>();

    private volatile boolean draining;

    public Readiness require(String name) {
        conditions.putIfAbsent(name, false);
        return this;
    }

    public void set(String name, boolean ok) {
        conditions.put(name, ok);
    }

    /**
     * Something ready but degraded, said in the readiness answer without holding readiness back (the registry sync
     * failed and the file's rules serve). Null removes the note.
     */
    public void note(String name, String detail) {
        if (detail == null) {
            notes.remove(name);
        } else {
            notes.put(name, detail);
        }
    }

    /** The notes in force, by name. */
    public Map<String, String> notes() {
        return new java.util.TreeMap<>(notes);
    }

    /** Reports a companion feature's state ({@code ready}, {@code not ready}, or why it is off); does not gate. */
    public void inform(String name, String state) {
        companions.put(name, state);
    }

    /** A companion's readiness as a yes/no callback: {@code ready} or {@code not ready}, reported and never gating. */
    public Consumer<Boolean> companion(String name) {
        return ok -> inform(name, ok ? "ready" : "not ready");
    }

    /**
     * A condition that holds readiness back until first reported: each report makes it met, with its note (null for
     * none, which also lifts an earlier one).
     */
    public Consumer<String> gate(String name) {
        require(name);
        return note -> {
            note(name, note);
            set(name, true);
        };
    }

    /** Companion states by name, sorted. */
    public Map<String, String> companions() {
        return new TreeMap<>(companions);
    }

    public void startDraining() {
        draining = true;
    }

    public boolean isReady() {
        return !draining && !conditions.containsValue(false);
    }

    /** The conditions not met, for the readiness answer. */
    public List<String> missing() {
        List<String> out = new ArrayList<>();
        if (draining) {
            out.add("draining");
        }
        conditions.forEach((k, v) -> {
            if (!v) {
                out.add(k);
            }
        });
        out.sort(null);
        return out;
    }
}

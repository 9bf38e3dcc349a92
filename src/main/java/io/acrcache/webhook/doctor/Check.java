package io.acrcache.webhook.doctor;

import java.util.Locale;
import java.util.Objects;

/**
 * One link of the artifact-cache chain as the doctor found it.
 *
 * @param id stable, for scripts ({@code identity}, {@code cache-rule.dockerhub}, ...)
 * @param detail what was found, with the registry's or Azure's own words where they help
 * @param fix the command or portal step that repairs it; always set for {@link Status#FAIL}, null when nothing to do
 */
public record Check(String id, String title, Status status, String detail, String fix) {

    public enum Status {
        PASS,
        WARN,
        FAIL,
        SKIP;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Check {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(status, "status");
        detail = detail == null ? "" : detail;
        if (status == Status.FAIL && (fix == null || fix.isBlank())) {
            // a failure the doctor cannot name a repair for is a bug in the doctor
            throw new IllegalArgumentException("check " + id + " fails without a fix");
        }
    }

    public static Check pass(String id, String title, String detail) {
        return new Check(id, title, Status.PASS, detail, null);
    }

    public static Check warn(String id, String title, String detail, String fix) {
        return new Check(id, title, Status.WARN, detail, fix);
    }

    public static Check fail(String id, String title, String detail, String fix) {
        return new Check(id, title, Status.FAIL, detail, fix);
    }

    public static Check skip(String id, String title, String detail) {
        return new Check(id, title, Status.SKIP, detail, null);
    }
}

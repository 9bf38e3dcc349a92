package io.acrcache.webhook.config;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds a settings record from the typed values: each component takes the value whose path is its name (after the
 * prefix of the section it is in); a component that is itself a record is a section. A component with no catalogue
 * entry is a programming error, caught by the first load in any test.
 */
final class Binder {
    private Binder() {}

    static <R extends Record> R bind(Class<R> type, String prefix, Map<String, Object> typed) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            String path = prefix + c.getName();
            types[i] = c.getType();
            if (c.getType().isRecord()) {
                args[i] = bind(c.getType().asSubclass(Record.class), path + ".", typed);
            } else if (typed.containsKey(path)) {
                args[i] = convert(typed.get(path), c.getType());
            } else {
                throw new IllegalStateException(type.getName() + "." + c.getName() + ": no setting " + path);
            }
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getName(), e);
        }
    }

    private static Object convert(Object value, Class<?> type) {
        if (type == Set.class) {
            return Set.copyOf((List<?>) value);
        }
        if (type.isEnum()) {
            return constant(type.asSubclass(Enum.class), (String) value);
        }
        return value;
    }

    /** The constant a choice label names; the reader has already refused labels that name none. */
    private static Enum<?> constant(Class<? extends Enum> type, String label) {
        for (Enum<?> e : type.getEnumConstants()) {
            if (label(e).equalsIgnoreCase(label)) {
                return e;
            }
        }
        throw new IllegalStateException(type.getName() + ": no constant for '" + label + "'");
    }

    /** A choice as written in the file: the constant's name in lower case, words joined by '-'. */
    static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The labels of every constant of a choice, in declaration order. */
    static List<String> labels(Class<? extends Enum<?>> type) {
        return java.util.Arrays.stream(type.getEnumConstants())
                .map(Binder::label)
                .toList();
    }
}

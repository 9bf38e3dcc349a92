package io.acrcache.webhook.logging;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/** One JSON object a line ({@code time, level, logger, message, error}), for log shippers. */
final class JsonLogFormatter extends Formatter {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    public String format(LogRecord r) {
        ObjectNode line = JsonNodeFactory.instance
                .objectNode()
                .put("time", Instant.ofEpochMilli(r.getMillis()).toString())
                .put("level", levelName(r.getLevel()))
                .put("logger", r.getLoggerName())
                .put("message", formatMessage(r));
        if (r.getThrown() != null) {
            StringWriter w = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(w));
            line.put("error", w.toString());
        }
        return JSON.writeValueAsString(line) + "\n";
    }

    static String levelName(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        return "DEBUG";
    }
}

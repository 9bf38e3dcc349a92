package io.acrcache.webhook.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/** One line a record: time, level, logger, message; a cause follows on the next lines. */
final class TextLogFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
        String message = formatMessage(r);
        StringBuilder sb = new StringBuilder(64 + message.length())
                .append(Instant.ofEpochMilli(r.getMillis()))
                .append(' ')
                .append(JsonLogFormatter.levelName(r.getLevel()))
                .append(' ')
                .append(shortName(r.getLoggerName()))
                .append(": ")
                .append(message)
                .append('\n');
        if (r.getThrown() != null) {
            StringWriter w = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(w));
            sb.append(w);
        }
        return sb.toString();
    }

    private static String shortName(String logger) {
        if (logger == null) {
            return "";
        }
        int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }
}

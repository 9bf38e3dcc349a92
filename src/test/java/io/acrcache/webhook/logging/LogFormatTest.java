package io.acrcache.webhook.logging;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogFormatTest {
    @Test
    void jsonIsOneParsableObjectPerLine() {
        LogRecord r = new LogRecord(Level.WARNING, "rewrite from=\"nginx\"\nsecond line");
        r.setLoggerName("io.acrcache.webhook.admission");
        r.setThrown(new IllegalStateException("boom"));
        String line = new JsonLogFormatter().format(r);
        assertTrue(line.endsWith("\n"));
        assertEquals(1, line.strip().lines().count(), "a newline in the message must not split the record");
        JsonNode json = JsonMapper.builder().build().readTree(line);
        assertEquals("WARN", json.get("level").stringValue());
        assertEquals("io.acrcache.webhook.admission", json.get("logger").stringValue());
        assertEquals("rewrite from=\"nginx\"\nsecond line", json.get("message").stringValue());
        assertTrue(json.get("error").stringValue().contains("IllegalStateException: boom"));
        assertTrue(json.get("time").stringValue().endsWith("Z"));
    }

    @Test
    void textIsTimeLevelLoggerMessage() {
        LogRecord r = new LogRecord(Level.FINE, "admission outcome=patched");
        r.setLoggerName("io.acrcache.webhook.admission");
        String line = new TextLogFormatter().format(r);
        assertTrue(line.matches("\\S+Z DEBUG admission: admission outcome=patched\\n"), line);
    }

    @Test
    void theDuplicateGaugeWarningStaysQuietAfterAGarbageCollection() throws Exception {
        LogSetup.configure(new LogOptions("text", "info"));
        try {
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(20);
            }
            // what Micrometer's logger finds when it is first used, after the collections
            Logger micrometer = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");
            assertEquals(Level.SEVERE, micrometer.getLevel());
        } finally {
            LogManager.getLogManager().reset();
        }
    }

    @Test
    void linesBeforeLoggingIsSetUpFollowTheFormat() {
        JsonNode json = JsonMapper.builder()
                .build()
                .readTree(LogSetup.line("json", Level.SEVERE, "io.acrcache.webhook.Main", "invalid configuration"));
        assertEquals("ERROR", json.get("level").stringValue());
        assertEquals("invalid configuration", json.get("message").stringValue());
        assertTrue(LogSetup.line("text", Level.SEVERE, "x.Main", "bad").matches("\\S+Z ERROR Main: bad\\n"));
    }

    @Test
    void levelsMapFromConfiguration() {
        assertEquals(Level.FINE, LogSetup.level("debug"));
        assertEquals(Level.SEVERE, LogSetup.level("error"));
        assertEquals(Level.WARNING, LogSetup.level("warn"));
        assertEquals(Level.INFO, LogSetup.level("info"));
    }
}

package io.acrcache.webhook.logging;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsyncStderrHandlerTest {

    @Test
    void everyRecordFromSeveralThreadsIsWrittenOnce() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AsyncStderrHandler handler = handler(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 3000; i++) {
                    handler.publish(record("t" + id + "-" + i));
                    if (i % 500 == 0) {
                        Thread.yield();
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        handler.close();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        Set<String> seen = new HashSet<>();
        for (String line : lines) {
            String message = line.substring(line.lastIndexOf(' ') + 1);
            assertTrue(seen.add(message), "written twice: " + message);
        }
        assertEquals(6000, seen.size(), "every record, none dropped below the capacity");
    }

    @Test
    void aStuckOutputDropsPastTheCapacityAndSaysHowMany() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    release.await(30, TimeUnit.SECONDS); // a log pipe nobody reads
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                bytes.write(b, off, len);
            }
        };
        AsyncStderrHandler handler = handler(new PrintStream(stuck, true, StandardCharsets.UTF_8));
        int published = 20_000;
        for (int i = 0; i < published; i++) {
            handler.publish(record("m" + i)); // never waits, however stuck the output
        }
        release.countDown();
        handler.close();
        String out = bytes.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\\((\\d+) log records dropped").matcher(out);
        long dropped = 0;
        while (m.find()) {
            dropped += Long.parseLong(m.group(1));
        }
        long written = out.lines().filter(l -> l.contains(" m")).count();
        assertTrue(dropped > 0, "past the capacity records are dropped: " + dropped);
        assertEquals(published, written + dropped, "each record is either written or counted as dropped");
    }

    private static AsyncStderrHandler handler(PrintStream out) {
        AsyncStderrHandler handler = new AsyncStderrHandler(out);
        handler.setFormatter(new TextLogFormatter());
        return handler;
    }

    private static LogRecord record(String message) {
        LogRecord r = new LogRecord(Level.INFO, message);
        r.setLoggerName("io.acrcache.webhook.test");
        return r;
    }
}

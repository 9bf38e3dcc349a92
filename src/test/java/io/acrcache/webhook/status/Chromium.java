package io.acrcache.webhook.status;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium, driven by its command line (no WebDriver: a page without script needs no more). Found as
 * {@code -Dacw.chromium=PATH} or {@code chromium} on the PATH; missing, it fails the test naming how to install it.
 */
final class Chromium {
    private static final long TIMEOUT_SECONDS = 60;
    private final Path binary;

    private Chromium(Path binary) {
        this.binary = binary;
    }

    static Chromium find() {
        String given = System.getProperty("acw.chromium");
        if (given != null && !given.isBlank()) {
            return new Chromium(Path.of(given));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return new Chromium(p);
                }
            }
        }
        throw new AssertionError("no headless browser: this test opens the status page in Chromium. Install it with"
                + " `apt-get install -y chromium chromium-driver` (.ci/run does), or name the binary with"
                + " -Dacw.chromium=/path/to/chromium");
    }

    /** The DOM after the page loaded, serialized. */
    String dumpDom(String url) throws IOException, InterruptedException {
        return run(List.of("--dump-dom", url));
    }

    /** A PNG of the page in a window of {@code width} × {@code height}. */
    void screenshot(String url, Path png, int width, int height) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        run(List.of(
                "--screenshot=" + png.toAbsolutePath(),
                "--window-size=" + width + "," + height,
                "--hide-scrollbars",
                url));
        if (!Files.isRegularFile(png) || Files.size(png) == 0) {
            throw new AssertionError("chromium wrote no screenshot to " + png);
        }
    }

    private String run(List<String> args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("acw-chromium");
        List<String> cmd = new ArrayList<>(List.of(
                binary.toString(),
                "--headless",
                "--no-sandbox", // CI runs as root, where Chromium's sandbox refuses to start
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile));
        cmd.addAll(args);
        Path err = Files.createTempFile("acw-chromium", ".log");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in " + TIMEOUT_SECONDS + " s: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("chromium exited " + p.exitValue() + ": " + Files.readString(err));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}

package io.acrcache.webhook.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The admission listener's certificate and key files: the configured ones, or development certificates generated (or
 * reused) in a folder when none are configured, so that the quick start runs with no set-up.
 */
public record ServingFiles(Path cert, Path key) {
    private static final Logger LOG = Logger.getLogger(ServingFiles.class.getName());

    /**
     * @param certFile {@code server.tlsCertFile}, null or empty when not configured
     * @param keyFile {@code server.tlsKeyFile}
     * @param devCertDir where development certificates go; a temporary folder when it cannot be created
     */
    public static ServingFiles resolve(String certFile, String keyFile, Path devCertDir) throws IOException {
        if (certFile != null && !certFile.isEmpty()) {
            return new ServingFiles(Path.of(certFile), Path.of(keyFile));
        }
        Path dir = devCertDir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            dir = Files.createTempDirectory("acr-cache-webhook-certs");
        }
        DevCertificates dev = DevCertificates.ensure(dir);
        LOG.warning((dev.generated() ? "generated development certificates in " : "using development certificates in ")
                + dir.toAbsolutePath() + " (no server.tlsCertFile configured; the CA is " + dev.caFile() + ")");
        return new ServingFiles(dev.certFile(), dev.keyFile());
    }
}

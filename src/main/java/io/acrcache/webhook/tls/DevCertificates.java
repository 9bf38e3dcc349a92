package io.acrcache.webhook.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Development certificates, used when the server is started without any certificate configured.
 *
 * <p>{@link #ensure(Path)} reuses {@code tls.crt}/{@code tls.key} in the folder when both exist, match and have not
 * expired; when neither exists, or the existing certificate has expired, it generates a CA and a serving certificate
 * for service {@value #SERVICE} in namespace {@value #NAMESPACE} (plus {@code localhost}, {@code 127.0.0.1},
 * {@code ::1}) valid {@link CertificateGenerator#DEFAULT_LEAF_VALIDITY}.
 *
 * @param certFile the serving certificate ({@code tls.crt})
 * @param keyFile the serving key ({@code tls.key})
 * @param caFile the CA certificate ({@code ca.crt}) to trust, or {@code null} if the folder has none
 * @param generated whether this call generated the files (the caller logs "generated development certificates in ...")
 */
public record DevCertificates(Path certFile, Path keyFile, Path caFile, boolean generated) {

    public static final String SERVICE = "acr-cache-webhook";
    public static final String NAMESPACE = "default";

    /**
     * @throws IOException if only one of {@code tls.crt}/{@code tls.key} exists, if existing files are unreadable or do
     *     not belong together (they are never overwritten in that case), or on write errors
     */
    public static DevCertificates ensure(Path dir) throws IOException {
        CertificateFiles.Written paths = CertificateFiles.paths(dir);
        boolean hasCert = Files.exists(paths.certificate());
        boolean hasKey = Files.exists(paths.key());
        if (hasCert != hasKey) {
            throw new IOException("incomplete development certificates in " + dir + ": found "
                    + (hasCert ? paths.certificate() : paths.key()) + " but not "
                    + (hasCert ? paths.key() : paths.certificate()));
        }
        if (hasCert) {
            TlsMaterial existing = TlsMaterial.load(paths.certificate(), paths.key());
            if (!existing.isExpired(Instant.now())) {
                Path ca = Files.exists(paths.caCertificate()) ? paths.caCertificate() : null;
                return new DevCertificates(paths.certificate(), paths.key(), ca, false);
            }
        }
        CertificateBundle bundle =
                CertificateGenerator.forService(SERVICE, NAMESPACE, CertificateGenerator.DEFAULT_LEAF_VALIDITY);
        CertificateFiles.Written written = CertificateFiles.write(bundle, dir);
        return new DevCertificates(written.certificate(), written.key(), written.caCertificate(), true);
    }
}

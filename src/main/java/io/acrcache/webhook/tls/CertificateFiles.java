package io.acrcache.webhook.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Writes a {@link CertificateBundle} to a folder using the key names of a Kubernetes TLS Secret ({@code tls.crt},
 * {@code tls.key}, {@code ca.crt}) plus {@code ca.key}, and reads expiry back.
 *
 * <p>Each file is written to a temporary file in the same folder and then moved into place, so a reader never sees a
 * half-written file. Key files are created with POSIX permissions {@code rw-------} (600) from the start when the file
 * system supports POSIX attributes; certificates get {@code rw-r--r--} (644).
 */
public final class CertificateFiles {

    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    public static final String TLS_CERT = "tls.crt";
    public static final String TLS_KEY = "tls.key";

    private static final Set<PosixFilePermission> KEY_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> CERT_PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");

    private CertificateFiles() {}

    /** Where {@link #write} put the four files. */
    public record Written(Path directory, Path caCertificate, Path caKey, Path certificate, Path key) {
        public List<Path> all() {
            return List.of(caCertificate, caKey, certificate, key);
        }
    }

    /** The four paths a bundle occupies in {@code dir} (whether or not they exist). */
    public static Written paths(Path dir) {
        return new Written(dir, dir.resolve(CA_CERT), dir.resolve(CA_KEY), dir.resolve(TLS_CERT), dir.resolve(TLS_KEY));
    }

    /**
     * Writes {@code ca.crt}, {@code ca.key}, {@code tls.crt} and {@code tls.key} into {@code dir} (created if missing),
     * replacing existing files.
     */
    public static Written write(CertificateBundle bundle, Path dir) throws IOException {
        Files.createDirectories(dir);
        Written paths = paths(dir);
        // Keys first: a watcher that reacts to tls.crt then finds the matching tls.key already in place.
        writeAtomically(paths.caKey(), bundle.caKeyPem(), true);
        writeAtomically(paths.key(), bundle.keyPem(), true);
        writeAtomically(paths.caCertificate(), bundle.caCertificatePem(), false);
        writeAtomically(paths.certificate(), bundle.certificatePem(), false);
        return paths;
    }

    /**
     * Writes only the serving pair ({@code tls.crt}, {@code tls.key}) into {@code dir}: a new leaf under a CA that
     * stays where it is. The returned CA paths are those {@code dir} would hold; they are not written.
     */
    public static Written writeLeaf(CertificateBundle bundle, Path dir) throws IOException {
        Files.createDirectories(dir);
        Written paths = paths(dir);
        writeAtomically(paths.key(), bundle.keyPem(), true);
        writeAtomically(paths.certificate(), bundle.certificatePem(), false);
        return paths;
    }

    /** {@code notAfter} of the first certificate in a PEM file: the expiry the metrics expose. */
    public static Instant expiry(Path certPem) throws IOException {
        return PemFiles.readCertificates(certPem).get(0).getNotAfter().toInstant();
    }

    /** {@code notAfter} of a certificate. */
    public static Instant expiry(X509Certificate certificate) {
        return certificate.getNotAfter().toInstant();
    }

    /** Whether the file system holding {@code dir} supports POSIX permissions. */
    static boolean supportsPosix(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        boolean posix = supportsPosix(dir);
        Set<PosixFilePermission> permissions = secret ? KEY_PERMISSIONS : CERT_PERMISSIONS;
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
                : new FileAttribute<?>[0];
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attributes);
        try {
            Files.writeString(temp, content, StandardCharsets.US_ASCII);
            if (posix) {
                // createTempFile honours the umask; set explicitly so certificates end up 644 and keys 600.
                Files.setPosixFilePermissions(temp, permissions);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Fails with {@link FileAlreadyExistsException} naming the first of the serving pair that exists. */
    static void requireLeafAbsent(Path dir) throws FileAlreadyExistsException {
        for (Path p : List.of(paths(dir).certificate(), paths(dir).key())) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p.toString());
            }
        }
    }

    /** Fails with {@link FileAlreadyExistsException} naming the first of the four files that exists. */
    static void requireAbsent(Path dir) throws FileAlreadyExistsException {
        for (Path p : paths(dir).all()) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p.toString());
            }
        }
    }
}

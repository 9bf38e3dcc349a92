package io.acrcache.webhook.tls;

import io.acrcache.webhook.cli.Flag;
import io.acrcache.webhook.cli.Usage;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code java -jar acr-cache-webhook.jar certs [options]}: generates a CA and a serving certificate for the webhook
 * service and writes them as {@code ca.crt}, {@code ca.key}, {@code tls.crt}, {@code tls.key}.
 *
 * <p>Exit codes: 0 success (also for {@code --help}), 1 the files could not be written (or already exist without
 * {@code --force}), 2 bad command line. Private keys are never printed.
 */
public final class CertsCommand {

    public static final String DEFAULT_OUT = "certs";
    public static final String DEFAULT_SERVICE = "acr-cache-webhook";
    public static final String DEFAULT_NAMESPACE = "acr-cache-webhook";
    public static final int DEFAULT_DAYS = 365;
    /** Upper bound for {@code --days}: the generated CA must still be a sane X.509 date. */
    public static final int MAX_DAYS = 36500;

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    static final String USAGE = """
      Usage: java -jar acr-cache-webhook.jar certs [options]

      Generates a private CA and a serving certificate for the webhook Service and writes
      ca.crt, ca.key, tls.crt and tls.key (the key names of a Kubernetes TLS Secret).

      Options:
        --out DIR          output folder (default: certs)
        --service NAME     Service name (default: acr-cache-webhook)
        --namespace NS     Service namespace (default: acr-cache-webhook)
        --days N           serving certificate validity in days (default: 365);
                           the CA is valid 3650 days, or N days if that is longer
        --dns NAME         extra DNS subject alternative name (repeatable)
        --ip ADDRESS       extra IP subject alternative name (repeatable)
        --force            overwrite existing files in DIR
        --ca-cert FILE     issue only a new serving certificate (tls.crt, tls.key in DIR)
        --ca-key FILE        under this existing CA, so the caBundle stays the same
                           (both or neither; the certificate must not outlive the CA)
        -h, --help         show this help

      SANs always include NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local,
      localhost, 127.0.0.1 and ::1.
      """;

    private CertsCommand() {}

    /** Runs the command; {@code args} are the arguments after {@code certs}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            Usage.refuse(err, "certs", e.getMessage());
            return EXIT_USAGE;
        }
        if (options.help) {
            out.print(USAGE);
            return EXIT_OK;
        }

        List<String> dns = new ArrayList<>(CertificateGenerator.serviceDnsNames(options.service, options.namespace));
        dns.addAll(options.extraDns);
        List<String> ips = new ArrayList<>(CertificateGenerator.LOOPBACK_IP_ADDRESSES);
        ips.addAll(options.extraIps);

        boolean underExistingCa = options.caCert != null;
        CertificateBundle bundle;
        try {
            String commonName = CertificateGenerator.serviceCommonName(options.service, options.namespace);
            Duration validity = Duration.ofDays(options.days);
            if (underExistingCa) {
                X509Certificate ca = PemFiles.readCertificates(options.caCert).get(0);
                PrivateKey caKey = PemFiles.readPrivateKey(options.caKey);
                // a key of another CA would sign a leaf that no client holding this caBundle verifies
                try {
                    TlsMaterial.requireMatchingKey(ca, caKey);
                } catch (IllegalArgumentException e) {
                    err.println("certs: the CA key " + options.caKey + " does not belong to the CA certificate "
                            + options.caCert + " (" + e.getMessage() + "); give the ca.key written together with that"
                            + " ca.crt");
                    return EXIT_USAGE;
                }
                bundle = CertificateGenerator.issue(ca, caKey, commonName, dns, ips, validity);
            } else {
                bundle = CertificateGenerator.generate(commonName, dns, ips, validity);
            }
        } catch (IOException e) {
            err.println("certs: cannot read the CA: " + e.getMessage());
            return EXIT_FAILED;
        } catch (IllegalArgumentException e) {
            // with --ca-cert: the certificate would outlive the CA; otherwise not expected (inputs were validated)
            err.println("certs: " + e.getMessage());
            return EXIT_USAGE;
        }

        CertificateFiles.Written written;
        try {
            if (!options.force) {
                if (underExistingCa) {
                    CertificateFiles.requireLeafAbsent(options.out);
                } else {
                    CertificateFiles.requireAbsent(options.out);
                }
            }
            written = underExistingCa
                    ? CertificateFiles.writeLeaf(bundle, options.out)
                    : CertificateFiles.write(bundle, options.out);
        } catch (FileAlreadyExistsException e) {
            err.println("certs: " + e.getFile() + " already exists. Choose another folder with --out DIR, overwrite"
                    + " with --force, or keep the CA and issue a new serving certificate with --ca-cert "
                    + options.out.resolve(CertificateFiles.CA_CERT) + " --ca-key "
                    + options.out.resolve(CertificateFiles.CA_KEY) + " --out NEW_DIR");
            return EXIT_FAILED;
        } catch (IOException e) {
            err.println("certs: cannot write certificates to " + options.out + ": " + e);
            return EXIT_FAILED;
        }

        String caBundle =
                Base64.getEncoder().encodeToString(bundle.caCertificatePem().getBytes(StandardCharsets.US_ASCII));
        out.println(
                "Wrote certificates to " + written.directory().toAbsolutePath().normalize() + ":");
        if (underExistingCa) {
            out.println("  (CA " + options.caCert + " kept, valid until "
                    + CertificateFiles.expiry(bundle.caCertificate()) + ")");
        } else {
            out.println("  " + CertificateFiles.CA_CERT + "   CA certificate, valid until "
                    + CertificateFiles.expiry(bundle.caCertificate()));
            out.println("  " + CertificateFiles.CA_KEY + "   CA private key (keep it out of the cluster)");
        }
        out.println("  " + CertificateFiles.TLS_CERT + "  serving certificate, valid until "
                + CertificateFiles.expiry(bundle.certificate()));
        out.println("  " + CertificateFiles.TLS_KEY + "  serving private key");
        out.println("Subject alternative names: DNS " + String.join(", ", dns) + "; IP " + String.join(", ", ips));
        out.println();
        out.println("Create the Secret:");
        out.println("  kubectl -n " + options.namespace + " create secret tls " + options.service + "-tls" + " --cert="
                + written.certificate() + " --key=" + written.key());
        out.println();
        out.println("caBundle for the MutatingWebhookConfiguration (clientConfig.caBundle):");
        out.println("caBundle: " + caBundle);
        return EXIT_OK;
    }

    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static final class Options {
        Path out = Path.of(DEFAULT_OUT);
        String service = DEFAULT_SERVICE;
        String namespace = DEFAULT_NAMESPACE;
        int days = DEFAULT_DAYS;
        final List<String> extraDns = new ArrayList<>();
        final List<String> extraIps = new ArrayList<>();
        boolean force;
        boolean help;
        Path caCert;
        Path caKey;

        static Options parse(String[] args) throws UsageException {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                Flag split = Flag.split(arg);
                String flag = split.name();
                String inline = split.inline();
                switch (flag) {
                    case "-h", "--help" -> o.help = true;
                    case "--force" -> {
                        if (inline != null) {
                            throw new UsageException("--force takes no value");
                        }
                        o.force = true;
                    }
                    case "--out", "--service", "--namespace", "--days", "--dns", "--ip", "--ca-cert", "--ca-key" -> {
                        String value;
                        if (inline != null) {
                            value = inline;
                        } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                            value = args[++i];
                        } else {
                            throw new UsageException(flag + " needs a value");
                        }
                        o.set(flag, value);
                    }
                    default ->
                        throw new UsageException(
                                arg.startsWith("-") ? "unknown option " + flag : "unexpected argument " + arg);
                }
            }
            if ((o.caCert == null) != (o.caKey == null)) {
                throw new UsageException("--ca-cert and --ca-key go together: give both or neither");
            }
            return o;
        }

        private void set(String flag, String value) throws UsageException {
            if (value.isBlank()) {
                throw new UsageException(flag + " must not be empty");
            }
            switch (flag) {
                case "--out" -> out = Path.of(value);
                case "--ca-cert" -> caCert = Path.of(value);
                case "--ca-key" -> caKey = Path.of(value);
                case "--service" -> service = label(flag, value);
                case "--namespace" -> namespace = label(flag, value);
                case "--days" -> days = days(value);
                case "--dns" -> extraDns.add(san(flag, value, true));
                case "--ip" -> extraIps.add(san(flag, value, false));
                default -> throw new IllegalStateException(flag);
            }
        }

        private static String label(String flag, String value) throws UsageException {
            if (!value.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
                throw new UsageException(
                        flag + " must be a DNS label (lower case letters, digits, '-'), got '" + value + "'");
            }
            return value;
        }

        private static String san(String flag, String value, boolean dns) throws UsageException {
            try {
                CertificateGenerator.subjectAlternativeNames(
                        dns ? List.of(value) : List.of(), dns ? List.of() : List.of(value));
            } catch (IllegalArgumentException e) {
                throw new UsageException(flag + ": " + e.getMessage());
            }
            return value.trim();
        }

        private static int days(String value) throws UsageException {
            int n;
            try {
                n = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--days must be a whole number of days, got '" + value + "'");
            }
            if (n < 1 || n > MAX_DAYS) {
                throw new UsageException("--days must be between 1 and " + MAX_DAYS + ", got " + n);
            }
            return n;
        }
    }
}

package io.acrcache.webhook.rewrite;

import io.acrcache.webhook.cli.Flag;
import io.acrcache.webhook.cli.Usage;
import io.acrcache.webhook.config.ConfigException;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.config.SettingsLoader;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code java -jar acr-cache-webhook.jar rewrite [options]}: the webhook's decisions applied to manifest files, for
 * clusters without the webhook, CI gates and Helm post-renderers. The registry is never asked: this is about rules
 * only.
 *
 * <p>Exit codes: 0 done (with {@code --check}: nothing would be rewritten), 1 {@code --check} found images that would
 * be rewritten, 2 bad command line, bad configuration (also none naming the registry), or an input that cannot be read
 * or is not YAML or JSON (then nothing is written to standard output).
 */
public final class RewriteCommand {
    public static final int EXIT_OK = 0;
    public static final int EXIT_WOULD_REWRITE = 1;
    public static final int EXIT_ERROR = 2;

    static final String LOGIN_SERVER_ENV = "ACW_ACR_LOGIN_SERVER";

    static final String NO_LOGIN_SERVER = "rewrite: acrLoginServer: is required: set it to your registry in a"
            + " config file given with --config FILE (or ACW_CONFIG), e.g. 'acrLoginServer: myacr.azurecr.io', or set "
            + LOGIN_SERVER_ENV + " (e.g. " + LOGIN_SERVER_ENV + "=myacr.azurecr.io)";

    /** The name findings and errors give standard input. */
    public static final String STDIN = "<stdin>";

    static final String USAGE = """
      Usage: java -jar acr-cache-webhook.jar rewrite [options]

      Reads Kubernetes manifests (multi-document YAML or JSON) and writes them back with the
      images the webhook would rewrite rewritten, in Pods and in the Pod templates of Deployments,
      StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, ReplicationControllers and Lists.
      Same configuration file and environment variables as the webhook; the registry is not asked.

      Options:
        -f, --filename PATH  a file, a folder (its *.yaml, *.yml and *.json files, sorted), or -
                             for standard input (repeatable; default: standard input)
        --config FILE        configuration file (default: $ACW_CONFIG); it or $ACW_ACR_LOGIN_SERVER
                             must name the registry (acrLoginServer) the images are rewritten to
        --check              print one line per image that would be rewritten, no manifests;
                             exit 1 if there is any, 0 if none
        --diff               print only the changed lines of each changed document
        -h, --help           show this help

      Exit codes: 0 done, 1 --check found images to rewrite, 2 bad arguments, configuration (also:
      no registry named) or input (then nothing is written).
      """;

    private RewriteCommand() {}

    /** Runs the command; {@code args} are the arguments after {@code rewrite}. */
    public static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (IllegalArgumentException e) {
            Usage.refuse(err, "rewrite", e.getMessage());
            return EXIT_ERROR;
        }
        if (options.help) {
            out.print(USAGE);
            return EXIT_OK;
        }
        LoadedConfig config;
        try {
            config = SettingsLoader.load(options.config == null ? null : Path.of(options.config), env);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return EXIT_ERROR;
        }
        if (options.config == null
                && !env.containsKey(LOGIN_SERVER_ENV)
                && !config.settings().registry().configured()) {
            // the embedded placeholder would land in the manifests: the webhook refuses a config file without a
            // registry for the same reason (SettingsLoader), and files written here outlive any warning
            err.println(NO_LOGIN_SERVER);
            return EXIT_ERROR;
        }
        config.warnings().forEach(w -> err.println("rewrite: warning: " + w));

        List<Input> inputs = new ArrayList<>();
        try {
            for (String name : options.inputs.isEmpty() ? List.of("-") : options.inputs) {
                inputs.addAll(read(name, in));
            }
        } catch (IOException | IllegalArgumentException e) {
            err.println("rewrite: " + e.getMessage());
            return EXIT_ERROR;
        }

        ManifestRewriter rewriter = new ManifestRewriter(config);
        List<ManifestRewriter.Result> results = new ArrayList<>();
        for (Input input : inputs) {
            try {
                results.add(rewriter.rewrite(input.name(), input.text()));
            } catch (ManifestRewriter.BadDocumentException e) {
                err.println("rewrite: " + e.getMessage());
                return EXIT_ERROR;
            }
        }

        // everything is decided before the first byte is written: an error leaves standard output empty
        StringBuilder sb = new StringBuilder();
        int rewrites = 0;
        for (ManifestRewriter.Result r : results) {
            rewrites += r.rewrites().size();
        }
        if (options.diff) {
            for (ManifestRewriter.Result r : results) {
                for (ManifestRewriter.ChangedDocument d : r.changed()) {
                    String where = d.source() + " document " + d.document() + " (" + d.object() + ")";
                    sb.append("--- ").append(where).append('\n');
                    sb.append("+++ ")
                            .append(where)
                            .append(d.reserialized() ? ", written anew" : "")
                            .append('\n');
                    LineDiff.hunks(d.before(), d.after(), d.line())
                            .forEach(l -> sb.append(l).append('\n'));
                }
            }
        }
        if (options.check) {
            for (ManifestRewriter.Result r : results) {
                for (ManifestRewriter.Finding f : r.rewrites()) {
                    sb.append(prefix(f))
                            .append(f.from())
                            .append(" -> ")
                            .append(f.to())
                            .append('\n');
                }
                for (ManifestRewriter.Finding f : r.notes()) {
                    sb.append(prefix(f))
                            .append("left alone (")
                            .append(f.leftAlone())
                            .append("): ")
                            .append(f.from())
                            .append('\n');
                }
            }
        }
        if (!options.check && !options.diff) {
            for (int i = 0; i < results.size(); i++) {
                String text = results.get(i).text();
                if (i > 0 && !text.isBlank() && sb.length() > 0) {
                    if (sb.charAt(sb.length() - 1) != '\n') {
                        sb.append('\n');
                    }
                    if (!text.startsWith("---")) {
                        sb.append("---\n");
                    }
                }
                sb.append(text);
            }
        }
        // raw bytes, not print(): Java 17's platform charset may not be UTF-8, and the text must come back unchanged
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        out.flush();
        if (options.check) {
            err.println(
                    rewrites == 0
                            ? "rewrite: no image would be rewritten"
                            : "rewrite: " + rewrites + " image(s) would be rewritten");
            return rewrites == 0 ? EXIT_OK : EXIT_WOULD_REWRITE;
        }
        return EXIT_OK;
    }

    private static String prefix(ManifestRewriter.Finding f) {
        return f.source() + ": document " + f.document() + ": " + f.object() + ": " + f.container() + ": ";
    }

    record Input(String name, String text) {}

    private static List<Input> read(String name, InputStream in) throws IOException {
        if (name.equals("-")) {
            return List.of(new Input(STDIN, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
        Path path = Path.of(name);
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> list = Files.list(path)) {
                files = list.filter(p -> Files.isRegularFile(p) && manifest(p))
                        .sorted()
                        .toList();
            }
            List<Input> out = new ArrayList<>();
            for (Path p : files) {
                out.add(file(p));
            }
            return out;
        }
        if (!Files.exists(path)) {
            throw new IOException(name + ": no such file or folder");
        }
        return List.of(file(path));
    }

    private static boolean manifest(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }

    private static Input file(Path p) throws IOException {
        try {
            return new Input(p.toString(), Files.readString(p, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException(p + ": cannot read: " + e.getMessage(), e);
        }
    }

    static final class Options {
        final List<String> inputs = new ArrayList<>();
        String config;
        boolean check;
        boolean diff;
        boolean help;

        static Options parse(String[] args, Map<String, String> env) {
            Options o = new Options();
            o.config = env.get("ACW_CONFIG");
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                Flag split = Flag.split(arg);
                String flag = split.name();
                String inline = split.inline();
                switch (flag) {
                    case "-h", "--help" -> o.help = true;
                    case "--check" -> o.check = flag(flag, inline);
                    case "--diff" -> o.diff = flag(flag, inline);
                    case "-f", "--filename", "--config" -> {
                        String value;
                        if (inline != null) {
                            value = inline;
                        } else if (i + 1 < args.length) {
                            value = args[++i];
                        } else {
                            throw new IllegalArgumentException(flag + " needs a value");
                        }
                        if (value.isEmpty()) {
                            throw new IllegalArgumentException(flag + " must not be empty");
                        }
                        if (flag.equals("--config")) {
                            o.config = value;
                        } else {
                            o.inputs.add(value);
                        }
                    }
                    default ->
                        throw new IllegalArgumentException(
                                arg.startsWith("-") ? "unknown option " + flag : "unexpected argument " + arg);
                }
            }
            return o;
        }

        private static boolean flag(String flag, String inline) {
            if (inline != null) {
                throw new IllegalArgumentException(flag + " takes no value");
            }
            return true;
        }
    }
}

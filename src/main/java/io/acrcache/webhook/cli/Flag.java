package io.acrcache.webhook.cli;

/**
 * One command-line word split into its flag and inline value: {@code --out=dir} is flag {@code --out} with value
 * {@code dir}; any other word is its own flag with no inline value. Shared by the subcommands so that they read
 * {@code --flag=value} alike.
 *
 * @param name the flag, or the whole word when it carries no inline value
 * @param inline the text after the first {@code =} of a {@code --} word, or null
 */
public record Flag(String name, String inline) {

    /** Splits {@code arg}; only a word starting with {@code --} and with a name before its {@code =} is split. */
    public static Flag split(String arg) {
        int eq = arg.indexOf('=');
        if (arg.startsWith("--") && eq > 0) {
            return new Flag(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return new Flag(arg, null);
    }
}

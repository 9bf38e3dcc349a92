package io.acrcache.webhook.cli;

import java.io.PrintStream;

/** How a subcommand answers arguments it cannot use, worded the same for every subcommand. */
public final class Usage {
    private Usage() {}

    /** Prints {@code command: reason} and where to find the usage. */
    public static void refuse(PrintStream err, String command, String reason) {
        err.println(command + ": " + reason);
        err.println("Run with --help for usage.");
    }
}

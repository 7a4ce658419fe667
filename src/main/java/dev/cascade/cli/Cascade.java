package dev.cascade.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * `cascade`, the command-line client of the gateway (docs/cli.md). Plain Java: java.net.http, Jackson and picocli,
 * packaged on its own as target/cascade-cli.jar; nothing of the gateway's runtime is used here.
 */
@Command(
        name = "cascade",
        mixinStandardHelpOptions = true,
        versionProvider = Cascade.Version.class,
        description = "Command-line client of the Cascade enrichment gateway.",
        subcommands = {
            EnrichCommand.class,
            WorkflowCommands.Status.class,
            WorkflowCommands.Deliveries.class,
            WorkflowCommands.Redeliver.class,
            WorkflowCommands.Credits.class,
            AdminCommands.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done; for a workflow, every task completed",
            "2:usage: bad option, argument or configuration",
            "3:bad input: CSV refused, or 400/422 from the gateway",
            "4:authentication: key or operator token missing or refused",
            "5:API error: gateway unreachable, 404, 409, 5xx",
            "6:a workflow ended completed_with_errors or failed",
            "7:insufficient credits (402)",
            "130:interrupted: run the same command again to resume"
        })
public final class Cascade implements Runnable {
    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    /** True when stdout is a terminal: `enrich` draws a progress bar then. */
    final boolean terminal;

    @CommandLine.Option(names = "--json", description = "Write answers and errors as JSON (also after the command).")
    boolean json;

    private final List<String> secrets = new ArrayList<>();

    Cascade(PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err, System.getenv(), System.console() != null));
    }

    /** Runs one command line and answers its exit code; the entry point for tests too. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
        Cascade root = new Cascade(out, err, env, terminal);
        CommandLine line = new CommandLine(root);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        line.setExecutionExceptionHandler((e, cmd, parsed) -> root.fail(e));
        line.setParameterExceptionHandler((e, parsedArgs) -> {
            CommandLine cmd = e.getCommandLine();
            // The line did not parse, so `--json` may not have been read: look for it.
            root.json |= List.of(parsedArgs).contains("--json");
            root.credentialsIn(parsedArgs);
            // picocli echoes what it could not parse; only option names and the usage are shown here.
            root.error(Exit.USAGE, root.redact(e.getMessage()), null);
            if (!root.json) {
                cmd.usage(cmd.getErr());
            }
            return Exit.USAGE;
        });
        return line.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(out);
    }

    /** A credential of this run: never printed, whatever message it appears in. */
    void secret(String value) {
        if (value != null && !value.isBlank()) {
            secrets.add(value);
        }
    }

    /** The values of `--api-key` and `--operator-token` on a line that did not parse, so an error cannot show them. */
    void credentialsIn(String[] args) {
        for (int i = 0; i < args.length; i++) {
            for (String flag : List.of("--api-key", "--operator-token")) {
                if (args[i].equals(flag) && i + 1 < args.length) {
                    secret(args[i + 1]);
                } else if (args[i].startsWith(flag + "=")) {
                    secret(args[i].substring(flag.length() + 1));
                }
            }
        }
    }

    String redact(String message) {
        if (message == null) {
            return "";
        }
        String safe = message;
        for (String s : secrets) {
            safe = safe.replace(s, "***");
        }
        return safe.replaceAll("clapi_[A-Za-z0-9_-]{8,}", "clapi_***");
    }

    int fail(Exception e) {
        if (e instanceof Exit.Failure failure) {
            error(failure.code(), failure.getMessage(), failure.httpStatus());
            return failure.code();
        }
        error(Exit.INTERNAL, "unexpected error: " + e.getClass().getSimpleName(), null);
        return Exit.INTERNAL;
    }

    void error(int code, String message, Integer httpStatus) {
        String safe = redact(message);
        if (json) {
            ObjectNode body = Api.JSON.createObjectNode();
            ObjectNode error = body.putObject("error");
            error.put("message", safe);
            error.put("exit_code", code);
            if (httpStatus != null) {
                error.put("http_status", httpStatus);
            }
            out.println(body.toString());
        } else {
            err.println("cascade: " + safe);
        }
        out.flush();
        err.flush();
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Cascade.class.getPackage().getImplementationVersion();
            return new String[] {"cascade " + (v == null ? "(development build)" : v)};
        }
    }
}

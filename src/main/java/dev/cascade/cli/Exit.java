package dev.cascade.cli;

/**
 * The exit codes scripts can rely on (docs/cli.md, "Exit codes"), and the failure that carries one up to
 * {@link Cascade}.
 */
public final class Exit {
    /** Done; for a workflow, every task completed. */
    public static final int OK = 0;
    /** Anything not covered below (a bug of the client). */
    public static final int INTERNAL = 1;
    /** The command line is wrong: unknown option, missing argument, bad configuration. */
    public static final int USAGE = 2;
    /** The input is refused: a CSV with an unknown column or invalid rows, or a 400/422 from the gateway. */
    public static final int BAD_INPUT = 3;
    /** The API key or operator token is missing or refused (401/403). */
    public static final int AUTH = 4;
    /** The gateway could not be reached or answered with an error (404, 409, 429 after retries, 5xx). */
    public static final int API = 5;
    /** The workflow ended, but not every task completed (`completed_with_errors` or `failed`). */
    public static final int PARTIAL = 6;
    /** The organisation has too few credits for the hold (402). */
    public static final int CREDITS = 7;
    /** The run was interrupted before it finished; run the same command again to resume. */
    public static final int INTERRUPTED = 130;

    private Exit() {}

    /** A failure with the exit code it ends the command with; its message never holds a secret. */
    public static final class Failure extends RuntimeException {
        private final int code;
        private final Integer httpStatus;

        public Failure(int code, String message) {
            this(code, message, null);
        }

        public Failure(int code, String message, Integer httpStatus) {
            super(message, null, false, false);
            this.code = code;
            this.httpStatus = httpStatus;
        }

        public int code() {
            return code;
        }

        public Integer httpStatus() {
            return httpStatus;
        }
    }
}

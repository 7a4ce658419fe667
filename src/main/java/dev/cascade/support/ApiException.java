package dev.cascade.support;

/** A refusal with an HTTP status and the contract's `{"detail": "…"}` message. */
public class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String detail) {
        super(detail, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public String detail() {
        return getMessage();
    }
}

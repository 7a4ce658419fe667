package dev.cascade.waterfall.providers.smtp;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import javax.net.ssl.SSLException;

/** Why a conversation ended before it had its answers. */
final class SmtpStop extends RuntimeException {

    enum Kind {
        /** No TCP connection (refused, unreachable, connect timeout). */
        CONNECT,
        /** A reply did not come within the step timeout. */
        TIMEOUT,
        /** The server closed the connection. */
        DROPPED,
        /** 421, or a 4xx before RCPT: the server is busy or limiting us; another MX may answer. */
        UNAVAILABLE,
        /** A 5xx before RCPT (greeting, EHLO, MAIL): the server refuses to talk to us. */
        REFUSED,
        /** The TLS handshake after STARTTLS failed (in `verify` mode: an untrusted certificate). */
        TLS,
        /** The server spoke something that is not SMTP. */
        PROTOCOL
    }

    private final Kind kind;

    SmtpStop(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }

    /** Whether the MX itself is unhealthy (counts for its circuit): not a refusal, which is a decision. */
    boolean mxFault() {
        return kind != Kind.REFUSED;
    }

    static SmtpStop from(Throwable error) {
        if (error instanceof SmtpStop stop) {
            return stop;
        }
        if (error instanceof SSLException || error.getCause() instanceof SSLException) {
            return new SmtpStop(Kind.TLS, "TLS handshake failed");
        }
        if (error instanceof ConnectException || error instanceof NoRouteToHostException) {
            String message =
                    error.getMessage() == null ? "" : error.getMessage().toLowerCase(java.util.Locale.ROOT);
            return new SmtpStop(Kind.CONNECT, message.contains("timed out") ? "connect timeout" : "connection refused");
        }
        String name = error.getClass().getSimpleName();
        if (name.contains("Timeout")) {
            return new SmtpStop(Kind.CONNECT, "connect timeout");
        }
        return new SmtpStop(Kind.DROPPED, "connection error");
    }
}

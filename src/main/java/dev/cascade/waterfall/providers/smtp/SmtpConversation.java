package dev.cascade.waterfall.providers.smtp;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;

import dev.cascade.config.SmtpVerifySettings;

/**
 * One SMTP conversation with one MX address, asking without sending anything: greeting, `EHLO` (`HELO` for a server
 * that does not know it), `STARTTLS` when offered (and `EHLO` again, RFC 3207), `MAIL FROM:<configured>`, `RCPT
 * TO:<address>`, then — only when that was accepted — `RCPT TO:<random address at the same domain>` to see whether
 * the domain accepts anything, and `QUIT`. Never `DATA`: no message is ever sent. Non-blocking (Vert.x
 * {@link NetClient}); every reply has the step timeout.
 */
final class SmtpConversation {

    /** TLS as configured: `off`, `opportunistic` (certificate not checked) or `verify`. */
    enum Tls {
        OFF,
        OPPORTUNISTIC,
        VERIFY;

        static Tls parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("smtp.tls must be off, opportunistic or verify: " + value, e);
            }
        }
    }

    /**
     * What was learnt: the codes seen (for the trace), whether TLS was used, the reply to the address's `RCPT` and to
     * the probe's (null when not reached or not asked), and the stop that ended the conversation early, if any.
     */
    record Transcript(List<String> steps, boolean tls, SmtpReply rcpt, SmtpReply probe, SmtpStop stop) {}

    private final Vertx vertx;
    private final NetClient client;
    private final Tls tls;
    private final int port;
    private final long stepTimeoutMs;
    private final String helo;
    private final String mailFrom;

    SmtpConversation(Vertx vertx, SmtpVerifySettings settings, String helo, String mailFrom) {
        this.vertx = vertx;
        this.tls = Tls.parse(settings.tls());
        this.port = settings.port();
        this.stepTimeoutMs = settings.stepTimeout().toMillis();
        this.helo = helo;
        this.mailFrom = mailFrom;
        NetClientOptions options = new NetClientOptions()
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setHostnameVerificationAlgorithm("");
        if (tls == Tls.OPPORTUNISTIC) {
            // What MTAs do (RFC 7435): encrypt when the server offers it, without trusting any certificate.
            options.setTrustAll(true);
        } else if (tls == Tls.VERIFY && settings.tlsTrustFile().isPresent()) {
            options.setTrustOptions(new PemTrustOptions()
                    .addCertPath(settings.tlsTrustFile().get().toString()));
        }
        this.client = vertx.createNetClient(options);
    }

    void close() {
        client.close();
    }

    /**
     * Talks to one MX address; never fails (a stop is part of the transcript). The connection is opened from an event
     * loop, so the reader is in place before the server's greeting can arrive: a socket without a handler drops data,
     * and a connect started from another thread (a DNS callback) completes its future a moment too late.
     */
    Future<Transcript> talk(InetAddress address, String mxHost, String rcpt, String probe) {
        Promise<Transcript> transcript = Promise.promise();
        vertx.getOrCreateContext()
                .runOnContext(start -> converse(address, mxHost, rcpt, probe).onComplete(transcript));
        return transcript.future();
    }

    private Future<Transcript> converse(InetAddress address, String mxHost, String rcpt, String probe) {
        State state = new State();
        return client.connect(SocketAddress.inetSocketAddress(port, address.getHostAddress()), mxHost)
                .recover(error -> Future.failedFuture(SmtpStop.from(error)))
                .compose(socket -> {
                    state.session = new SmtpSession(vertx, socket, stepTimeoutMs);
                    return state.session.read("greeting");
                })
                .compose(greeting -> expect(state, "banner", greeting))
                .compose(ok -> ehlo(state))
                .compose(ehlo -> startTls(state, ehlo, mxHost))
                .compose(ok -> state.session.send("MAIL", "MAIL FROM:<" + mailFrom + ">"))
                .compose(mail -> expect(state, "MAIL", mail))
                .compose(ok -> state.session.send("RCPT", "RCPT TO:<" + rcpt + ">"))
                .compose(reply -> {
                    state.steps.add("RCPT " + reply.summary());
                    if (reply.code() == 421) {
                        return Future.failedFuture(new SmtpStop(SmtpStop.Kind.UNAVAILABLE, "unavailable"));
                    }
                    state.rcpt = reply;
                    if (!reply.positive() || probe == null) {
                        return Future.succeededFuture();
                    }
                    return state.session
                            .send("probe RCPT", "RCPT TO:<" + probe + ">")
                            .map(answer -> {
                                state.steps.add("probe RCPT " + answer.summary());
                                state.probe = answer.code() == 421 ? null : answer;
                                return null;
                            });
                })
                .compose(done -> quit(state), error -> {
                    state.stop = SmtpStop.from(error);
                    if (state.session != null) {
                        state.session.close();
                    }
                    return Future.succeededFuture();
                })
                .map(done -> new Transcript(List.copyOf(state.steps), state.tls, state.rcpt, state.probe, state.stop));
    }

    private static final class State {
        private final List<String> steps = new ArrayList<>();
        private SmtpSession session;
        private boolean tls;
        private SmtpReply rcpt;
        private SmtpReply probe;
        private SmtpStop stop;
    }

    private static Future<Void> expect(State state, String step, SmtpReply reply) {
        state.steps.add(step + " " + reply.summary());
        if (reply.positive()) {
            return Future.succeededFuture();
        }
        // The reply is already in the steps; the stop says only what it means.
        return Future.failedFuture(
                reply.transientNegative()
                        ? new SmtpStop(SmtpStop.Kind.UNAVAILABLE, "unavailable")
                        : new SmtpStop(SmtpStop.Kind.REFUSED, "refused"));
    }

    private Future<SmtpReply> ehlo(State state) {
        return state.session.send("EHLO", "EHLO " + helo).compose(reply -> {
            if (reply.code() == 500 || reply.code() == 502) {
                // An old server without ESMTP: HELO, and no extensions (so no STARTTLS).
                return state.session
                        .send("HELO", "HELO " + helo)
                        .compose(helo -> expect(state, "HELO", helo).map(ok -> helo));
            }
            return expect(state, "EHLO", reply).map(ok -> reply);
        });
    }

    private Future<Void> startTls(State state, SmtpReply ehlo, String mxHost) {
        if (tls == Tls.OFF || !ehlo.offers("STARTTLS")) {
            return Future.succeededFuture();
        }
        return state.session.send("STARTTLS", "STARTTLS").compose(reply -> {
            state.steps.add("STARTTLS " + reply.summary());
            if (!reply.positive()) {
                // RFC 3207: a server that cannot start TLS now may still be spoken to in the clear.
                return Future.succeededFuture();
            }
            return state.session
                    .socket()
                    .upgradeToSsl(mxHost)
                    .recover(error -> Future.failedFuture(new SmtpStop(SmtpStop.Kind.TLS, "TLS handshake failed")))
                    .compose(upgraded -> {
                        state.tls = true;
                        return state.session.send("EHLO", "EHLO " + helo);
                    })
                    .compose(again -> expect(state, "EHLO", again));
        });
    }

    /** Says goodbye politely but waits for nothing important: the answers are already in. */
    private Future<Void> quit(State state) {
        return state.session
                .send("QUIT", "QUIT")
                .otherwiseEmpty()
                .eventually(() -> {
                    state.session.close();
                    return Future.succeededFuture();
                })
                .mapEmpty();
    }
}

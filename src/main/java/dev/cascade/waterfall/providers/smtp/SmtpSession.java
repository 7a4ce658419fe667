package dev.cascade.waterfall.providers.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * The reading side of one SMTP connection: assembles multi-line replies from whatever chunks arrive, hands them out
 * one per {@link #read}, and fails a read that waits longer than the step timeout, a connection the server dropped,
 * and a server that sends garbage or endless lines. Writes are plain lines; the caller never pipelines.
 */
final class SmtpSession {
    private static final int MAX_LINE = 2048;
    private static final int MAX_LINES = 64;

    private final Vertx vertx;
    private final NetSocket socket;
    private final long stepTimeoutMs;
    private final StringBuilder partial = new StringBuilder();
    private final List<String> lines = new ArrayList<>();
    private final ArrayDeque<SmtpReply> ready = new ArrayDeque<>();
    private Promise<SmtpReply> waiting;
    private String waitingStep;
    private long timer = -1;
    private SmtpStop broken;

    SmtpSession(Vertx vertx, NetSocket socket, long stepTimeoutMs) {
        this.vertx = vertx;
        this.socket = socket;
        this.stepTimeoutMs = stepTimeoutMs;
        socket.handler(this::received);
        socket.closeHandler(closed -> fail(new SmtpStop(SmtpStop.Kind.DROPPED, "connection closed")));
        socket.exceptionHandler(error -> fail(SmtpStop.from(error)));
    }

    NetSocket socket() {
        return socket;
    }

    /** Sends one command line and reads its reply. */
    Future<SmtpReply> send(String step, String command) {
        socket.write(Buffer.buffer(command + "\r\n", StandardCharsets.US_ASCII.name()));
        return read(step);
    }

    /** The next reply; fails with a {@link SmtpStop} on timeout, a dropped connection or a malformed reply. */
    synchronized Future<SmtpReply> read(String step) {
        if (!ready.isEmpty()) {
            return Future.succeededFuture(ready.poll());
        }
        if (broken != null) {
            return Future.failedFuture(broken);
        }
        Promise<SmtpReply> promise = Promise.promise();
        waiting = promise;
        waitingStep = step;
        timer = vertx.setTimer(
                stepTimeoutMs, id -> fail(new SmtpStop(SmtpStop.Kind.TIMEOUT, "timeout waiting for " + step)));
        return promise.future();
    }

    private synchronized void received(Buffer chunk) {
        partial.append(chunk.toString(StandardCharsets.ISO_8859_1));
        int newline;
        while ((newline = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, newline);
            partial.delete(0, newline + 1);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            line(line);
            if (broken != null) {
                return;
            }
        }
        if (partial.length() > MAX_LINE) {
            fail(new SmtpStop(SmtpStop.Kind.PROTOCOL, "reply line too long"));
        }
    }

    private void line(String line) {
        if (line.length() < 3
                || line.length() > MAX_LINE
                || !line.substring(0, 3).matches("[2-5]\\d\\d")) {
            fail(new SmtpStop(SmtpStop.Kind.PROTOCOL, "malformed reply"));
            return;
        }
        boolean more = line.length() > 3 && line.charAt(3) == '-';
        lines.add(line.length() > 4 ? line.substring(4) : "");
        if (lines.size() > MAX_LINES) {
            fail(new SmtpStop(SmtpStop.Kind.PROTOCOL, "reply too long"));
            return;
        }
        if (!more) {
            SmtpReply reply = SmtpReply.of(Integer.parseInt(line.substring(0, 3)), lines);
            lines.clear();
            deliver(reply);
        }
    }

    private void deliver(SmtpReply reply) {
        if (waiting != null) {
            Promise<SmtpReply> promise = waiting;
            clearWaiting();
            promise.tryComplete(reply);
        } else {
            ready.add(reply);
        }
    }

    private synchronized void fail(SmtpStop stop) {
        if (broken == null) {
            broken = stop;
        }
        if (waiting != null) {
            Promise<SmtpReply> promise = waiting;
            SmtpStop why = stop.kind() == SmtpStop.Kind.TIMEOUT || waitingStep == null
                    ? stop
                    : new SmtpStop(stop.kind(), stop.getMessage() + " at " + waitingStep);
            clearWaiting();
            promise.tryFail(why);
        }
        if (stop.kind() != SmtpStop.Kind.DROPPED) {
            socket.close();
        }
    }

    private void clearWaiting() {
        waiting = null;
        waitingStep = null;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** Ends the connection: cancels a pending read's timer and closes the socket. */
    synchronized void close() {
        clearWaiting();
        socket.close();
    }
}

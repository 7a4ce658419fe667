package dev.cascade.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An SMTP server on one loopback address whose every reply is scripted: the greeting (and how late it comes), whether
 * it offers STARTTLS (with a certificate made for the test), the reply to `MAIL FROM`, the reply to each `RCPT TO`, and
 * where it drops the connection. It records every command it receives (prefixed `TLS ` once encrypted), so a test can
 * check what the client said — and that it never said `DATA`.
 */
public final class ScriptedSmtpServer implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "scripted-smtp");
        thread.setDaemon(true);
        return thread;
    });
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private volatile String greeting = "220 mx.test ESMTP ready";
    private volatile Duration greetingDelay = Duration.ZERO;
    private volatile SSLContext tls;
    private volatile String mailReply = "250 2.1.0 OK";
    private volatile Function<String, String> rcpt = address -> "250 2.1.5 OK";
    private volatile String dropAt;

    public ScriptedSmtpServer(String ip, int port) {
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.submit(this::accept);
    }

    public ScriptedSmtpServer greeting(String line) {
        this.greeting = line;
        return this;
    }

    public ScriptedSmtpServer greetingDelay(Duration delay) {
        this.greetingDelay = delay;
        return this;
    }

    public ScriptedSmtpServer startTls(SSLContext context) {
        this.tls = context;
        return this;
    }

    public ScriptedSmtpServer mailReply(String line) {
        this.mailReply = line;
        return this;
    }

    /** The reply line to `RCPT TO:<address>` (the address without brackets, lower case). */
    public ScriptedSmtpServer rcpt(Function<String, String> reply) {
        this.rcpt = reply;
        return this;
    }

    /** Closes the connection instead of answering this command (`RCPT`, `MAIL`, …). */
    public ScriptedSmtpServer dropAt(String verb) {
        this.dropAt = verb;
        return this;
    }

    public List<String> commands() {
        return List.copyOf(commands);
    }

    public void forget() {
        commands.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                threads.submit(() -> converse(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void converse(Socket plain) {
        Socket socket = plain;
        boolean encrypted = false;
        try {
            if (!greetingDelay.isZero()) {
                Thread.sleep(greetingDelay.toMillis()); // the slowness under test, not a wait for a result
            }
            socket.setSoTimeout(10_000);
            BufferedReader in = reader(socket);
            OutputStream out = socket.getOutputStream();
            write(out, greeting);
            if (!greeting.startsWith("2")) {
                return;
            }
            String line;
            while ((line = in.readLine()) != null) {
                commands.add((encrypted ? "TLS " : "") + line);
                String verb = line.split("[ :]", 2)[0].toUpperCase(Locale.ROOT);
                if (verb.equals(dropAt)) {
                    return;
                }
                switch (verb) {
                    case "EHLO" ->
                        write(
                                out,
                                "250-mx.test greets you\r\n250-PIPELINING\r\n"
                                        + (tls != null && !encrypted ? "250-STARTTLS\r\n" : "") + "250 8BITMIME");
                    case "HELO" -> write(out, "250 mx.test");
                    case "STARTTLS" -> {
                        write(out, "220 2.0.0 go ahead");
                        SSLSocket ssl = (SSLSocket) tls.getSocketFactory()
                                .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
                        ssl.setUseClientMode(false);
                        ssl.startHandshake();
                        socket = ssl;
                        encrypted = true;
                        in = reader(socket);
                        out = socket.getOutputStream();
                    }
                    case "MAIL" -> write(out, mailReply);
                    case "RCPT" -> write(out, rcpt.apply(address(line)));
                    case "RSET", "NOOP" -> write(out, "250 OK");
                    case "QUIT" -> {
                        write(out, "221 2.0.0 bye");
                        return;
                    }
                    default -> write(out, "502 5.5.1 not here");
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client went away or failed its handshake: the conversation is over.
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    }

    private static String address(String line) {
        int open = line.indexOf('<');
        int close = line.indexOf('>');
        return open >= 0 && close > open ? line.substring(open + 1, close).toLowerCase(Locale.ROOT) : "";
    }

    private static void write(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        threads.shutdownNow();
    }
}

package dev.cascade.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on loopback that accepts every TCP connection, reads what is sent and never answers: each
 * attempt at it lasts until the sender's timeout cuts it. Counts connections accepted and open, and when each was
 * accepted. JDK only; one per test.
 */
public final class BlackholeReceiver implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "blackhole-receiver");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final List<Long> acceptedAt = new CopyOnWriteArrayList<>();

    public BlackholeReceiver() {
        try {
            server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.execute(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException closed) {
                return;
            }
            acceptedAt.add(System.nanoTime());
            accepted.incrementAndGet();
            open.incrementAndGet();
            threads.execute(() -> swallow(socket));
        }
    }

    /** Reads until the sender gives up and closes the connection; answers nothing. */
    private void swallow(Socket socket) {
        try (socket;
                InputStream in = socket.getInputStream()) {
            byte[] buffer = new byte[8192];
            while (in.read(buffer) != -1) {
                // never answer
            }
        } catch (IOException reset) {
            // the sender reset the connection: it gave up, like a close
        } finally {
            open.decrementAndGet();
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections open now (attempts the sender has not given up on). */
    public int open() {
        return open.get();
    }

    /**
     * Most connections accepted within any span shorter than {@code window}. With a window under the sender's attempt
     * timeout this is how many attempts ran at once at most, without depending on how soon a cut-off connection is
     * seen closed here: a slot an attempt held frees only when its timeout has passed.
     */
    public int mostAcceptedWithin(Duration window) {
        List<Long> times = new ArrayList<>(acceptedAt);
        Collections.sort(times);
        int most = 0;
        int first = 0;
        for (int last = 0; last < times.size(); last++) {
            while (times.get(last) - times.get(first) >= window.toNanos()) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
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

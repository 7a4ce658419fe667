package dev.cascade.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver on loopback that keeps every request per {@code webhook-id} and answers 503 to the first
 * {@code failFirst} requests of each id, 200 afterwards. Counting and choosing the answer happen under one lock, so
 * two requests for the same id arriving at once (a duplicate attempt) are both counted, in order.
 */
public final class CountingReceiver implements AutoCloseable {
    /** One request as the receiver saw it, and what it answered. */
    public record Hit(
            String webhookId,
            int ordinal,
            String userAgent,
            String path,
            String body,
            Instant receivedAt,
            int answered) {}

    private final int failFirst;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final Map<String, List<Hit>> hits = new ConcurrentHashMap<>();

    private CountingReceiver(int failFirst) {
        this.failFirst = failFirst;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /** Starts a receiver on a free loopback port that fails the first {@code failFirst} attempts of every event. */
    public static CountingReceiver start(int failFirst) {
        CountingReceiver receiver = new CountingReceiver(failFirst);
        receiver.server.start();
        return receiver;
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Requests for one {@code webhook-id}, in arrival order (a copy). */
    public List<Hit> hits(String webhookId) {
        List<Hit> list = hits.get(webhookId);
        if (list == null) {
            return List.of();
        }
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    /** Every request, grouped by {@code webhook-id} (copies). */
    public Map<String, List<Hit>> all() {
        Map<String, List<Hit>> copy = new TreeMap<>();
        hits.keySet().forEach(id -> copy.put(id, hits(id)));
        return copy;
    }

    /** Requests whose path starts with {@code prefix}, grouped by {@code webhook-id}. */
    public Map<String, List<Hit>> under(String prefix) {
        Map<String, List<Hit>> matching = new TreeMap<>();
        all().forEach((id, list) -> {
            if (!list.isEmpty() && list.get(0).path().startsWith(prefix)) {
                matching.put(id, list);
            }
        });
        return matching;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            int status;
            if (!"POST".equals(exchange.getRequestMethod()) || id == null) {
                status = 400;
            } else {
                List<Hit> list = hits.computeIfAbsent(id, key -> new ArrayList<>());
                synchronized (list) {
                    int ordinal = list.size() + 1;
                    status = ordinal <= failFirst ? 503 : 200;
                    list.add(new Hit(
                            id,
                            ordinal,
                            exchange.getRequestHeaders().getFirst("User-Agent"),
                            exchange.getRequestURI().getPath(),
                            body,
                            Instant.now(),
                            status));
                }
            }
            exchange.sendResponseHeaders(status, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

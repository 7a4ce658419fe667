import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The webhook receiver of a run: a JDK HttpServer on a free loopback port that answers 200 to every POST and keeps,
 * per workflow, when its first `enrichment.completed` arrived, its status and its summary counts.
 */
final class Hooks implements AutoCloseable {
    /** The first `enrichment.completed` of one workflow. */
    record Hook(long at, String status, long total, long successful, long failed) {}

    final Map<String, Hook> byWorkflow = new ConcurrentHashMap<>();
    final Set<String> seenIds = ConcurrentHashMap.newKeySet();
    final AtomicInteger received = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    final AtomicInteger unreadable = new AtomicInteger();
    private final HttpServer server;

    Hooks() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(Executors.newFixedThreadPool(4, Compare.daemon("hooks")));
        server.createContext("/", exchange -> {
            long at = System.nanoTime();
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.incrementAndGet();
            String webhookId = exchange.getRequestHeaders().getFirst("webhook-id");
            if (webhookId != null && !seenIds.add(webhookId)) {
                duplicates.incrementAndGet(); // a retry of an event already counted: de-duplicate on webhook-id
            } else {
                record(at, new String(body, java.nio.charset.StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(200, 2);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(new byte[] {'o', 'k'});
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    private void record(long at, String body) {
        try {
            Object root = Bench.Json.parse(body);
            if (!"enrichment.completed".equals(Bench.Json.path(root, "event"))) {
                return;
            }
            String id = String.valueOf(Bench.Json.path(root, "workflow_id"));
            byWorkflow.putIfAbsent(id, new Hook(
                    at,
                    String.valueOf(Bench.Json.path(root, "status")),
                    Bench.num(Bench.Json.path(root, "summary", "total")),
                    Bench.num(Bench.Json.path(root, "summary", "successful")),
                    Bench.num(Bench.Json.path(root, "summary", "failed"))));
        } catch (RuntimeException e) {
            unreadable.incrementAndGet();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Submits bulk workflows (POST /api/v1/public/enrich/bulk) in a closed loop (K clients, each one request at a time)
 * or an open loop (submit i is due at start + i / rate, sent asynchronously at that instant whatever is still on the
 * wire, and its latency counts from that due time: no coordinated omission).
 */
final class Load {
    static final String[] FIRST = {"John", "Jane", "Sam", "Maria", "Wei", "Aisha", "Lucas", "Olga", "Ravi", "Emma"};
    static final String[] LAST = {"Doe", "Smith", "Lee", "Garcia", "Chen", "Khan", "Silva", "Ivanova", "Patel", "Brown"};

    /** One submit: when it was due (open loop) or sent (closed loop), sent, answered; its outcome and workflow id. */
    record Submit(int index, long due, long sent, long done, String outcome, String workflowId) {
        boolean ok() {
            return "200".equals(outcome) && workflowId != null;
        }

        long latencyNanos() {
            return done - due;
        }
    }

    /** What one loop did: its submits in index order, its wall time and how late the open loop sent (0 closed). */
    record Run(List<Submit> submits, long startNanos, long endNanos, long maxLagNanos, int lateSends) {
        double wallSeconds() {
            return (endNanos - startNanos) / 1e9;
        }

        /** Every submit's latency, refused and failed ones too (a timeout must not vanish from the tail). */
        long[] latenciesSorted() {
            return submits.stream().mapToLong(Submit::latencyNanos).sorted().toArray();
        }

        long ok() {
            return submits.stream().filter(Submit::ok).count();
        }

        Map<String, Integer> outcomes() {
            Map<String, Integer> m = new TreeMap<>();
            submits.forEach(s -> m.merge(s.outcome(), 1, Integer::sum));
            return m;
        }
    }

    final String baseUrl;
    final String key;
    final String type;
    final int contacts;
    final String webhookUrl; // null: no webhook
    final String runId = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
    final HttpClient http;
    final List<String> errors = Collections.synchronizedList(new ArrayList<>());

    Load(String baseUrl, String key, String type, int contacts, String webhookUrl, int threads) {
        this.baseUrl = baseUrl;
        this.key = key;
        this.type = type;
        this.contacts = contacts;
        this.webhookUrl = webhookUrl;
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(4, threads), Compare.daemon("http"));
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
    }

    /** K clients, one request at a time each, submits [first, first + count); latency = sent -> answer read. */
    Run closedLoop(int first, int count, int clients) throws InterruptedException {
        Submit[] out = new Submit[count];
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(
                    () -> {
                        for (int i; (i = next.getAndIncrement()) < count; ) {
                            long sent = System.nanoTime();
                            out[i] = finish(first + i, sent, sent, send(first + i));
                        }
                    },
                    "client-" + c);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Run(List.of(out), start, System.nanoTime(), 0, 0);
    }

    /**
     * Submits [first, first + count) at `rate` per second from one scheduling thread with asynchronous sends, so a
     * slow answer never delays the next send. A send that starts more than 5 ms after its due time counts as late.
     */
    Run openLoop(int first, int count, double rate) {
        List<CompletableFuture<Submit>> futures = new ArrayList<>(count);
        // Built beforehand, so that the scheduling thread only has to hand each one over at its due time.
        List<HttpRequest> requests = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            requests.add(request(first + i));
        }
        // The scheduling thread only hands each submit to a sender at its due time; a sender that is slow to get it
        // on the wire (CPU starvation on a busy box) shows as lag, measured where the send really starts.
        ExecutorService senders = Executors.newFixedThreadPool(8, Compare.daemon("sender"));
        AtomicLong maxLag = new AtomicLong();
        AtomicInteger late = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            int index = first + i;
            HttpRequest request = requests.get(i);
            CompletableFuture<Submit> f = new CompletableFuture<>();
            futures.add(f);
            senders.execute(() -> {
                long sent = System.nanoTime();
                maxLag.accumulateAndGet(sent - due, Math::max);
                if (sent - due > 5_000_000L) {
                    late.incrementAndGet();
                }
                http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                        .handle((response, failure) -> f.complete(finish(index, due, sent, new Answer(response, failure))));
            });
        }
        List<Submit> out = futures.stream().map(CompletableFuture::join).toList();
        senders.shutdown();
        long end = out.stream().mapToLong(Submit::done).max().orElse(start);
        return new Run(out, start, end, maxLag.get(), late.get());
    }

    record Answer(HttpResponse<String> response, Throwable failure) {}

    Answer send(int index) {
        try {
            return new Answer(http.send(request(index), HttpResponse.BodyHandlers.ofString()), null);
        } catch (IOException e) {
            return new Answer(null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(null, e);
        }
    }

    Submit finish(int index, long due, long sent, Answer a) {
        long done = System.nanoTime();
        if (a.failure() != null) {
            Throwable t = a.failure();
            while (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            note("submit " + index + ": " + t);
            return new Submit(index, due, sent, done, t.getClass().getSimpleName(), null);
        }
        HttpResponse<String> r = a.response();
        String outcome = Integer.toString(r.statusCode());
        String id = null;
        if (r.statusCode() == 200) {
            try {
                Object v = Bench.Json.path(Bench.Json.parse(r.body()), "workflow_id");
                id = v instanceof String s && !s.isEmpty() ? s : null;
            } catch (RuntimeException e) {
                id = null;
            }
            if (id == null) {
                outcome = "200-without-workflow_id";
            }
        }
        if (id == null) {
            note("submit " + index + ": HTTP " + r.statusCode() + " " + Bench.abbreviate(r.body()));
        }
        return new Submit(index, due, sent, done, outcome, id);
    }

    HttpRequest request(int index) {
        return HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/public/enrich/bulk"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("X-Request-Id", "cmp-" + runId + "-" + index)
                .POST(HttpRequest.BodyPublishers.ofString(body(index), StandardCharsets.UTF_8))
                .build();
    }

    /** Contacts unique to this run (its id is in every last name and domain): no cache or idempotency helps. */
    String body(int index) {
        StringBuilder sb = new StringBuilder(contacts * 110 + 160);
        sb.append("{\"enrichment_type\":\"").append(type).append('"');
        if (webhookUrl != null) {
            sb.append(",\"webhook_url\":\"").append(webhookUrl).append('"');
        }
        sb.append(",\"contacts\":[");
        for (int c = 0; c < contacts; c++) {
            int n = index * contacts + c;
            sb.append(c > 0 ? "," : "")
                    .append("{\"first_name\":\"")
                    .append(FIRST[n % FIRST.length])
                    .append("\",\"last_name\":\"")
                    .append(LAST[(n / FIRST.length) % LAST.length])
                    .append('-')
                    .append(runId)
                    .append(index)
                    .append('x')
                    .append(c)
                    .append("\",\"company_domain\":\"cmp-")
                    .append(runId)
                    .append('-')
                    .append(n % 97)
                    .append(".example.com\"}");
        }
        return sb.append("]}").toString();
    }

    void note(String error) {
        if (errors.size() < 10) {
            errors.add(error);
        }
    }
}

/*
 * Cascade load benchmark: submit latency and end-to-end throughput of a running gateway.
 *
 *   java bench/Bench.java --base-url http://127.0.0.1:18080 --key clapi_… \
 *        --workflows 40 --contacts 250 --clients 4 [--type partial] [--timeout-seconds 300]
 *
 * Single file, Java 17, no dependencies (java.net.http only). What it does:
 *   1. K client threads submit N workflows of C contacts each (POST /api/v1/public/enrich/bulk), one request at a
 *      time per client, and record each submit's latency (request sent -> full answer read).
 *   2. Every accepted workflow is polled (GET /api/v1/public/enrich/status?workflow_id=…) no more often than every
 *      --poll-ms per workflow, at most --max-poll-rate polls/s and --max-polls-in-flight concurrent polls overall,
 *      until its status is completed / completed_with_errors / failed, or --timeout-seconds passed since the first
 *      submit.
 * It prints one table; with --summary-file it also appends one Markdown table row per run to that file.
 *
 * Exit code: 0 all submits answered 200 and every workflow reached a terminal status in time; 1 otherwise
 * (the counts of every HTTP status, or exception when there was no answer, are printed); 2 bad arguments. With --strict, failed tasks also give exit code 1.
 *
 * Contacts are unique per run (a random run id is part of every last name and domain), so no result cache or
 * idempotency can short-circuit the work. Targets must be loopback unless --allow-remote is given.
 */

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

public class Bench {
    static final Set<String> TERMINAL = Set.of("completed", "completed_with_errors", "failed");
    static final Set<String> TYPES = Set.of("none", "partial", "phone_only", "full", "prospecting_only");
    static final String[] FIRST = {"John", "Jane", "Sam", "Maria", "Wei", "Aisha", "Lucas", "Olga", "Ravi", "Emma"};
    static final String[] LAST = {"Doe", "Smith", "Lee", "Garcia", "Chen", "Khan", "Silva", "Ivanova", "Patel", "Brown"};

    // ---- options ------------------------------------------------------------------------------------------------

    String baseUrl = "http://127.0.0.1:8080";
    String key = System.getenv("CASCADE_API_KEY");
    int workflows = 10;
    int contacts = 250;
    int clients = 4;
    String type = "partial";
    int timeoutSeconds = 300;
    int pollMs = 250;
    int maxPollRate = 200;
    int maxPollsInFlight = 8;
    String label = null;
    Path summaryFile = null;
    boolean strict = false;
    boolean allowRemote = false;

    // ---- state --------------------------------------------------------------------------------------------------

    final String runId = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36 * 36), 36);
    HttpClient http;
    long t0; // nanoTime of the first submit
    long deadline; // nanoTime after which nothing more is waited for
    final Map<String, Integer> submitStatuses = new TreeMap<>();
    final Map<String, Integer> pollStatuses = new TreeMap<>();
    final ConcurrentLinkedQueue<Long> submitNanos = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Long> pollNanos = new ConcurrentLinkedQueue<>();
    final List<Wf> accepted = new ArrayList<>();
    final AtomicLong lastSubmitEnd = new AtomicLong();
    final AtomicInteger retryAfterSeen = new AtomicInteger();
    final List<String> sampleErrors = new ArrayList<>();

    /** One accepted workflow and what its polls saw. */
    static final class Wf implements Delayed {
        final int index;
        final String id;
        final long submitStart;
        volatile long nextPollAt;
        volatile long terminalAt; // nanoTime of the poll that first saw it terminal; 0 while not
        volatile Map<String, Object> last; // last "workflow" object seen

        Wf(int index, String id, long submitStart, long nextPollAt) {
            this.index = index;
            this.id = id;
            this.submitStart = submitStart;
            this.nextPollAt = nextPollAt;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(nextPollAt - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(nextPollAt, ((Wf) o).nextPollAt);
        }
    }

    public static void main(String[] args) throws Exception {
        Bench b = new Bench();
        try {
            b.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
        System.exit(b.run());
    }

    static final String USAGE = """
            usage: java bench/Bench.java --key clapi_… [options]
              --base-url URL           gateway base URL (default http://127.0.0.1:8080); loopback only
              --key KEY                API key (or env CASCADE_API_KEY)
              --workflows N            workflows to submit (default 10)
              --contacts C             contacts per workflow, 1-250 (default 250)
              --clients K              concurrent submitting clients (default 4)
              --type T                 enrichment_type (default partial)
              --timeout-seconds S      give up S seconds after the first submit (default 300)
              --poll-ms MS             least time between two polls of one workflow (default 250)
              --max-poll-rate R        most polls per second overall (default 200)
              --max-polls-in-flight P  most concurrent polls (default 8)
              --label NAME             scenario name for the output
              --summary-file PATH      append a Markdown table row with the figures to PATH
              --strict                 exit 1 also when any task settled failed
              --allow-remote           allow a non-loopback target (not for shared machines)""";

    void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--strict")) {
                strict = true;
                continue;
            }
            if (a.equals("--allow-remote")) {
                allowRemote = true;
                continue;
            }
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            String name = a;
            String value;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                value = args[++i];
            }
            switch (name) {
                case "--base-url" -> baseUrl = value.replaceAll("/+$", "");
                case "--key" -> key = value;
                case "--workflows" -> workflows = intArg(name, value, 1, 1_000_000);
                case "--contacts" -> contacts = intArg(name, value, 1, 250);
                case "--clients" -> clients = intArg(name, value, 1, 256);
                case "--type" -> type = value;
                case "--timeout-seconds" -> timeoutSeconds = intArg(name, value, 1, 86_400);
                case "--poll-ms" -> pollMs = intArg(name, value, 10, 60_000);
                case "--max-poll-rate" -> maxPollRate = intArg(name, value, 1, 100_000);
                case "--max-polls-in-flight" -> maxPollsInFlight = intArg(name, value, 1, 1024);
                case "--label" -> label = value;
                case "--summary-file" -> summaryFile = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("--key (or env CASCADE_API_KEY) is required");
        }
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("--type must be one of " + TYPES);
        }
        URI uri = URI.create(baseUrl);
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("--base-url must be an absolute http(s) URL");
        }
        if (!allowRemote) {
            try {
                for (InetAddress addr : InetAddress.getAllByName(uri.getHost())) {
                    if (!addr.isLoopbackAddress()) {
                        throw new IllegalArgumentException(
                                "--base-url " + baseUrl + " is not loopback (" + addr + "); load tests stay on loopback");
                    }
                }
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("cannot resolve " + uri.getHost());
            }
        }
        if (label == null) {
            label = workflows + "x" + contacts + " " + type + " k=" + clients;
        }
    }

    static int intArg(String name, String value, int min, int max) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be in " + min + ".." + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + value + "'");
        }
    }

    // ---- the run ------------------------------------------------------------------------------------------------

    int run() throws Exception {
        ExecutorService httpExecutor = Executors.newFixedThreadPool(Math.max(4, clients + 2), daemon("http"));
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpExecutor)
                .build();
        long cpu0 = processCpuNanos();
        System.out.printf(
                Locale.ROOT,
                "[bench] %s: %d workflows x %d contacts (%s), %d clients, against %s (run id %s)%n",
                label, workflows, contacts, type, clients, baseUrl, runId);

        DelayQueue<Wf> due = new DelayQueue<>();
        CountDownLatch submitted = new CountDownLatch(clients);
        AtomicInteger next = new AtomicInteger();
        t0 = System.nanoTime();
        deadline = t0 + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                try {
                    int i;
                    while ((i = next.getAndIncrement()) < workflows && System.nanoTime() < deadline) {
                        submit(i, due);
                    }
                } finally {
                    submitted.countDown();
                }
            }, "submit-" + c);
            t.setDaemon(true);
            t.start();
        }

        // Poll until every accepted workflow is terminal and every client is done, or the deadline.
        Semaphore inFlight = new Semaphore(maxPollsInFlight);
        long gap = TimeUnit.SECONDS.toNanos(1) / maxPollRate;
        long lastPoll = 0;
        AtomicInteger terminal = new AtomicInteger();
        while (System.nanoTime() < deadline) {
            if (submitted.getCount() == 0) {
                int acceptedCount;
                synchronized (accepted) {
                    acceptedCount = accepted.size();
                }
                if (terminal.get() >= acceptedCount) {
                    break;
                }
            }
            Wf wf = due.poll(50, TimeUnit.MILLISECONDS);
            if (wf == null) {
                continue;
            }
            long wait = lastPoll + gap - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                due.add(wf);
                break;
            }
            lastPoll = System.nanoTime();
            poll(wf, due, inFlight, terminal);
        }
        long end = System.nanoTime();
        // Let polls still on the wire finish (bounded), so that the counts below are settled.
        inFlight.tryAcquire(maxPollsInFlight, 5, TimeUnit.SECONDS);
        submitted.await(Math.max(1, TimeUnit.SECONDS.toNanos(35)), TimeUnit.NANOSECONDS);
        long cpu = processCpuNanos() - cpu0;
        int rc = report(end, cpu);
        httpExecutor.shutdownNow();
        return rc;
    }

    void submit(int index, DelayQueue<Wf> due) {
        String body = bulkBody(index);
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/public/enrich/bulk"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("X-Request-Id", "bench-" + runId + "-" + index)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        long start = System.nanoTime();
        String outcome;
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long done = System.nanoTime();
            submitNanos.add(done - start);
            lastSubmitEnd.accumulateAndGet(done, Math::max);
            outcome = Integer.toString(response.statusCode());
            if (response.statusCode() == 200) {
                Object id = Json.path(Json.parse(response.body()), "workflow_id");
                if (id instanceof String s && !s.isEmpty()) {
                    Wf wf = new Wf(index, s, start, done + TimeUnit.MILLISECONDS.toNanos(pollMs));
                    synchronized (accepted) {
                        accepted.add(wf);
                    }
                    due.add(wf);
                } else {
                    outcome = "200-without-workflow_id";
                    note("submit " + index + ": 200 without workflow_id: " + abbreviate(response.body()));
                }
            } else {
                note("submit " + index + ": HTTP " + response.statusCode() + " " + abbreviate(response.body()));
            }
        } catch (IOException | RuntimeException e) {
            long done = System.nanoTime(); // no HTTP answer: not part of the latency figures
            lastSubmitEnd.accumulateAndGet(done, Math::max);
            outcome = e.getClass().getSimpleName();
            note("submit " + index + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        }
        count(submitStatuses, outcome);
    }

    void poll(Wf wf, DelayQueue<Wf> due, Semaphore inFlight, AtomicInteger terminal) {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(baseUrl + "/api/v1/public/enrich/status?workflow_id=" + wf.id))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .header("Accept", "application/json")
                .GET()
                .build();
        long start = System.nanoTime();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            long done = System.nanoTime();
            long nextDelay = TimeUnit.MILLISECONDS.toNanos(pollMs);
            try {
                if (failure != null) {
                    count(pollStatuses, rootCause(failure).getClass().getSimpleName());
                    note("poll " + wf.id + ": " + rootCause(failure));
                } else {
                    pollNanos.add(done - start);
                    count(pollStatuses, Integer.toString(response.statusCode()));
                    if (response.statusCode() == 200) {
                        Object w = Json.path(Json.parse(response.body()), "workflow");
                        if (w instanceof Map<?, ?> m) {
                            @SuppressWarnings("unchecked")
                            Map<String, Object> workflow = (Map<String, Object>) m;
                            wf.last = workflow;
                            if (TERMINAL.contains(String.valueOf(workflow.get("status")))) {
                                wf.terminalAt = done;
                                terminal.incrementAndGet();
                                return;
                            }
                        }
                    } else {
                        if (response.statusCode() == 429) {
                            retryAfterSeen.incrementAndGet();
                            long ra = response.headers()
                                    .firstValue("Retry-After")
                                    .map(Bench::parseLongOrZero)
                                    .orElse(1L);
                            nextDelay = Math.max(nextDelay, TimeUnit.SECONDS.toNanos(Math.max(1, ra)));
                        }
                        note("poll " + wf.id + ": HTTP " + response.statusCode() + " " + abbreviate(response.body()));
                    }
                }
                wf.nextPollAt = System.nanoTime() + nextDelay;
                due.add(wf);
            } catch (RuntimeException e) {
                note("poll " + wf.id + ": unreadable answer: " + e);
                wf.nextPollAt = System.nanoTime() + nextDelay;
                due.add(wf);
            } finally {
                inFlight.release();
            }
        });
    }

    String bulkBody(int index) {
        StringBuilder sb = new StringBuilder(contacts * 110 + 64);
        sb.append("{\"enrichment_type\":\"").append(type).append("\",\"contacts\":[");
        for (int c = 0; c < contacts; c++) {
            if (c > 0) {
                sb.append(',');
            }
            int n = index * contacts + c;
            sb.append("{\"first_name\":\"")
                    .append(FIRST[n % FIRST.length])
                    .append("\",\"last_name\":\"")
                    .append(LAST[(n / FIRST.length) % LAST.length])
                    .append('-')
                    .append(runId)
                    .append(index)
                    .append('x')
                    .append(c)
                    .append("\",\"company_domain\":\"bench-")
                    .append(runId)
                    .append('-')
                    .append(n % 97)
                    .append(".example.com\"}");
        }
        return sb.append("]}").toString();
    }

    // ---- report -------------------------------------------------------------------------------------------------

    int report(long end, long cpuNanos) throws IOException {
        List<Wf> wfs;
        synchronized (accepted) {
            wfs = new ArrayList<>(accepted);
        }
        Map<String, Integer> subStatuses;
        Map<String, Integer> pStatuses;
        synchronized (submitStatuses) {
            subStatuses = new TreeMap<>(submitStatuses);
        }
        synchronized (pollStatuses) {
            pStatuses = new TreeMap<>(pollStatuses);
        }
        long[] sub = sorted(submitNanos);
        long[] pol = sorted(pollNanos);
        int submitsTried = subStatuses.values().stream().mapToInt(Integer::intValue).sum();
        int submitsOk = subStatuses.getOrDefault("200", 0);
        int notSubmitted = workflows - submitsTried;
        double submitWindow = Math.max(1, lastSubmitEnd.get() - t0) / 1e9;

        int done = 0;
        Map<String, Integer> wfStatus = new TreeMap<>();
        long completedTasks = 0;
        long failedTasks = 0;
        long emails = 0;
        long phones = 0;
        double credits = 0;
        long lastTerminal = 0;
        List<Long> e2e = new ArrayList<>();
        Instant firstStarted = null;
        Instant lastCompleted = null;
        for (Wf wf : wfs) {
            Map<String, Object> w = wf.last;
            if (w != null) {
                completedTasks += num(w.get("completed_prospects"));
                failedTasks += num(w.get("failed_prospects"));
                emails += num(w.get("emails_found"));
                phones += num(w.get("phones_found"));
                credits += dbl(w.get("credits_charged"));
                Instant s = instant(w.get("started_at"));
                Instant c = instant(w.get("completed_at"));
                if (s != null && (firstStarted == null || s.isBefore(firstStarted))) {
                    firstStarted = s;
                }
                if (c != null && (lastCompleted == null || c.isAfter(lastCompleted))) {
                    lastCompleted = c;
                }
            }
            if (wf.terminalAt != 0) {
                done++;
                count(wfStatus, String.valueOf(w == null ? "?" : w.get("status")));
                lastTerminal = Math.max(lastTerminal, wf.terminalAt);
                e2e.add(wf.terminalAt - wf.submitStart);
            } else {
                count(wfStatus, "not terminal (" + (w == null ? "never polled ok" : w.get("status")) + ")");
            }
        }
        long[] e2eSorted = e2e.stream().mapToLong(Long::longValue).sorted().toArray();
        boolean allTerminal = done == wfs.size();
        boolean submitsAllOk = submitsOk == workflows;
        double e2eSeconds = ((allTerminal && lastTerminal > 0 ? lastTerminal : end) - t0) / 1e9;
        long settled = completedTasks + failedTasks;
        long expected = (long) submitsOk * contacts;
        double contactsPerSec = settled / e2eSeconds;

        String rule = "-".repeat(78);
        StringBuilder o = new StringBuilder();
        o.append(rule).append('\n');
        o.append(String.format(Locale.ROOT, "Cascade bench  %s%n", label));
        o.append(String.format(
                Locale.ROOT,
                "  %d workflows x %d contacts = %d contacts, type %s, %d clients, %s%n",
                workflows, contacts, (long) workflows * contacts, type, clients, baseUrl));
        o.append(rule).append('\n');
        o.append("SUBMIT  (POST /enrich/bulk, latency = request sent -> answer read)\n");
        o.append(row("requests", submitsTried + " sent" + (notSubmitted > 0 ? ", " + notSubmitted + " never sent" : "")
                + "; answers " + statusList(subStatuses)));
        o.append(row("latency ms", pct(sub)));
        o.append(row("throughput", String.format(
                Locale.ROOT,
                "%.1f submits/s, %.0f contacts/s accepted (all submits done after %.2f s)",
                submitsTried / submitWindow, (double) submitsOk * contacts / submitWindow, submitWindow)));
        o.append("END TO END  (first submit -> every workflow seen terminal)\n");
        o.append(row("workflows", done + "/" + wfs.size() + " terminal: " + statusList(wfStatus)));
        o.append(row("tasks", String.format(
                Locale.ROOT,
                "%d/%d settled: %d completed, %d failed; %d emails, %d phones, %.0f credits charged",
                settled, expected, completedTasks, failedTasks, emails, phones, credits)));
        o.append(row("wall time", String.format(
                Locale.ROOT,
                "%.2f s%s",
                e2eSeconds, allTerminal ? "" : "  (NOT FINISHED: timeout " + timeoutSeconds + " s)")));
        o.append(row("throughput", String.format(Locale.ROOT, "%.1f contacts settled/s", contactsPerSec)));
        o.append(row("per workflow ms", pct(e2eSorted) + "  (submit -> seen terminal)"));
        if (firstStarted != null && lastCompleted != null) {
            o.append(row("server clock", String.format(
                    Locale.ROOT,
                    "first started_at -> last completed_at = %d s (1 s resolution)",
                    Duration.between(firstStarted, lastCompleted).toSeconds())));
        }
        o.append("POLLING\n");
        o.append(row("polls", pol.length + " answered; answers " + statusList(pStatuses)
                + String.format(Locale.ROOT, "; every >= %d ms per workflow, <= %d/s", pollMs, maxPollRate)));
        o.append(row("poll latency ms", pct(pol)));
        o.append(row("bench client CPU", String.format(
                Locale.ROOT, "%.1f s (this process; it shares the machine with the gateway)", cpuNanos / 1e9)));
        if (retryAfterSeen.get() > 0 || subStatuses.containsKey("429")) {
            o.append("  NOTE: 429 answers seen: the organisation's rate limit is lower than this load; raise it"
                    + " for benchmarks (operator API, section 9/10 of the contract).\n");
        }
        synchronized (sampleErrors) {
            if (!sampleErrors.isEmpty()) {
                o.append("FIRST ERRORS\n");
                sampleErrors.forEach(e -> o.append("  ").append(e).append('\n'));
            }
        }
        boolean ok = submitsAllOk && allTerminal && (!strict || failedTasks == 0);
        o.append(rule).append('\n');
        o.append(String.format(
                Locale.ROOT,
                "RESULT  %s  submits ok %d/%d, workflows terminal %d/%d, failed tasks %d%n",
                ok ? "PASS" : "FAIL", submitsOk, workflows, done, wfs.size(), failedTasks));
        o.append(rule).append('\n');
        System.out.print(o);

        if (summaryFile != null) {
            String line = String.format(
                    Locale.ROOT,
                    "| %s | %d x %d | %d | %s | %s | %s | %s | %s | %.1f | %.2f | %.1f | %s | %s |%n",
                    label,
                    workflows,
                    contacts,
                    clients,
                    ms(at(sub, 50)),
                    ms(at(sub, 90)),
                    ms(at(sub, 99)),
                    ms(sub.length == 0 ? -1 : sub[sub.length - 1]),
                    String.format(Locale.ROOT, "%.1f", submitsTried / submitWindow),
                    (double) submitsOk * contacts / submitWindow,
                    e2eSeconds,
                    contactsPerSec,
                    done + "/" + workflows + (failedTasks > 0 ? " (" + failedTasks + " tasks failed)" : ""),
                    ok ? "PASS" : "FAIL: submits " + statusList(subStatuses));
            Files.writeString(
                    summaryFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        return ok ? 0 : 1;
    }

    static String row(String name, String value) {
        return String.format(Locale.ROOT, "  %-17s %s%n", name, value);
    }

    static String pct(long[] sorted) {
        if (sorted.length == 0) {
            return "n/a";
        }
        return String.format(
                Locale.ROOT,
                "p50 %s  p90 %s  p99 %s  max %s  (n=%d)",
                ms(at(sorted, 50)), ms(at(sorted, 90)), ms(at(sorted, 99)), ms(sorted[sorted.length - 1]),
                sorted.length);
    }

    /** Nearest-rank percentile. */
    static long at(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    static String ms(long nanos) {
        if (nanos < 0) {
            return "n/a";
        }
        double ms = nanos / 1e6;
        return ms >= 100 ? String.format(Locale.ROOT, "%.0f", ms) : String.format(Locale.ROOT, "%.1f", ms);
    }

    static long[] sorted(ConcurrentLinkedQueue<Long> q) {
        long[] a = q.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a;
    }

    static String statusList(Map<String, Integer> m) {
        if (m.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(" x").append(v));
        return sb.toString();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    void count(Map<String, Integer> m, String k) {
        synchronized (m) {
            m.merge(k, 1, Integer::sum);
        }
    }

    void note(String error) {
        synchronized (sampleErrors) {
            if (sampleErrors.size() < 10) {
                sampleErrors.add(error);
            }
        }
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        s = s.replaceAll("\\s+", " ");
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    static long parseLongOrZero(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static long num(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    static double dbl(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }

    static Instant instant(Object o) {
        try {
            return o instanceof String s ? Instant.parse(s) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A small JSON reader: objects become LinkedHashMap, arrays ArrayList, numbers Long or Double. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json j = new Json(text == null ? "" : text);
            j.ws();
            Object v = j.value();
            j.ws();
            if (j.i != j.s.length()) {
                throw j.error("trailing characters");
            }
            return v;
        }

        static Object path(Object root, String... keys) {
            Object cur = root;
            for (String k : keys) {
                if (!(cur instanceof Map<?, ?> m)) {
                    return null;
                }
                cur = m.get(k);
            }
            return cur;
        }

        private Object value() {
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            ws();
            if (peek() == '}') {
                i++;
                return m;
            }
            while (true) {
                ws();
                String k = string();
                ws();
                expect(':');
                ws();
                m.put(k, value());
                ws();
                if (peek() == ',') {
                    i++;
                    continue;
                }
                expect('}');
                return m;
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            i++;
            ws();
            if (peek() == ']') {
                i++;
                return l;
            }
            while (true) {
                ws();
                l.add(value());
                ws();
                if (peek() == ',') {
                    i++;
                    continue;
                }
                expect(']');
                return l;
            }
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> sb.append(e);
                }
            }
        }

        private Object number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            String n = s.substring(start, i);
            if (n.isEmpty()) {
                throw error("unexpected character");
            }
            if (n.contains(".") || n.contains("e") || n.contains("E")) {
                return Double.parseDouble(n);
            }
            try {
                return Long.parseLong(n);
            } catch (NumberFormatException big) {
                return Double.parseDouble(n);
            }
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, i)) {
                throw error("bad literal");
            }
            i += word.length();
            return v;
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : '\0';
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            i++;
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON " + what + " at " + i);
        }
    }
}

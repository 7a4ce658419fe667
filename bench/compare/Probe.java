import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the bench reads from the gateway and the machine: /q/metrics (Prometheus text), /proc (RSS, CPU ticks), and
 * a sampler thread that keeps the peaks of a few gauges and of the RSS, one CSV line per sample.
 */
final class Probe {
    static final String IN_FLIGHT = "cascade_provider_calls_in_flight";
    static final String IN_FLIGHT_MAX = "cascade_provider_calls_in_flight_max";
    static final String BULKHEAD_RUNNING = "cascade_provider_bulkhead_running";
    static final String HEAP_USED = "jvm_memory_used_bytes";

    /** One sample line of the Prometheus text format. */
    record Series(String name, Map<String, String> labels, double value) {}

    final String metricsUrl;
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    /** {@code managementUrl}: the gateway's management interface (metrics are not on its public port). */
    Probe(String managementUrl) {
        this.metricsUrl = managementUrl + "/q/metrics";
    }

    /** The gateway's metrics now; an empty list when they cannot be read. */
    List<Series> scrape() {
        try {
            HttpRequest r = HttpRequest.newBuilder(URI.create(metricsUrl))
                    .timeout(Duration.ofSeconds(5))
                    .header("Accept", "text/plain")
                    .build();
            HttpResponse<String> a = http.send(r, HttpResponse.BodyHandlers.ofString());
            return a.statusCode() == 200 ? parse(a.body()) : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    static List<Series> parse(String text) {
        List<Series> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            Map<String, String> labels = new LinkedHashMap<>();
            String name;
            String rest;
            if (brace >= 0 && (space < 0 || brace < space)) {
                name = line.substring(0, brace);
                int close = line.lastIndexOf('}');
                for (String pair : line.substring(brace + 1, close).split("\",")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).replace("\"", ""));
                    }
                }
                rest = line.substring(close + 1).trim();
            } else if (space > 0) {
                name = line.substring(0, space);
                rest = line.substring(space + 1).trim();
            } else {
                continue;
            }
            String v = rest.split("\\s+")[0];
            try {
                out.add(new Series(name, labels, Double.parseDouble(v.replace("+Inf", "Infinity"))));
            } catch (NumberFormatException ignored) {
                // not a sample line
            }
        }
        return out;
    }

    /** Sum of every series of `name` whose labels include `match`; NaN when there is none. */
    static double sum(List<Series> all, String name, Map<String, String> match) {
        double s = 0;
        boolean any = false;
        for (Series x : all) {
            if (x.name().equals(name) && x.labels().entrySet().containsAll(match.entrySet())) {
                s += x.value();
                any = true;
            }
        }
        return any ? s : Double.NaN;
    }

    static double sum(List<Series> all, String name) {
        return sum(all, name, Map.of());
    }

    /** Cumulative bucket counts of histogram `base` (series `base_bucket`), summed over every other label. */
    static TreeMap<Double, Double> buckets(List<Series> all, String base) {
        TreeMap<Double, Double> b = new TreeMap<>();
        for (Series x : all) {
            if (x.name().equals(base + "_bucket") && x.labels().containsKey("le")) {
                double le = Double.parseDouble(x.labels().get("le").replace("+Inf", "Infinity"));
                b.merge(le, x.value(), Double::sum);
            }
        }
        return b;
    }

    /**
     * Quantile q of what was observed between two scrapes, from the difference of their cumulative buckets, with
     * linear interpolation inside the bucket like PromQL's histogram_quantile. NaN without buckets or observations.
     */
    static double quantile(TreeMap<Double, Double> before, TreeMap<Double, Double> after, double q) {
        if (after.isEmpty()) {
            return Double.NaN;
        }
        double total = after.lastEntry().getValue() - before.getOrDefault(after.lastKey(), 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double prevLe = 0;
        double prevCount = 0;
        for (Map.Entry<Double, Double> e : after.entrySet()) {
            double count = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            if (count >= rank) {
                if (e.getKey().isInfinite()) {
                    return prevLe; // above the highest finite bucket: its bound is all that is known
                }
                double inBucket = count - prevCount;
                return inBucket <= 0 ? e.getKey() : prevLe + (e.getKey() - prevLe) * (rank - prevCount) / inBucket;
            }
            prevLe = e.getKey();
            prevCount = count;
        }
        return Double.NaN;
    }

    /** Delta of observations of histogram/timer `base` between two scrapes: {count, sum}. */
    static double[] countSum(List<Series> before, List<Series> after, String base) {
        double c0 = sum(before, base + "_count");
        double s0 = sum(before, base + "_sum");
        double c1 = sum(after, base + "_count");
        double s1 = sum(after, base + "_sum");
        return new double[] {c1 - (Double.isNaN(c0) ? 0 : c0), s1 - (Double.isNaN(s0) ? 0 : s0)};
    }

    // ---- /proc ------------------------------------------------------------------------------------------------

    /** `VmRSS` or `VmHWM` of a process in MB; NaN when it is gone. */
    static double procStatusMb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** Fields of /proc/PID/stat after the command name (index 0 = field 3, the state); null when gone. */
    static String[] statFields(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** User + system CPU ticks of a process; 0 when gone or pid <= 0. */
    static long ticks(long pid) {
        String[] f = pid > 0 ? statFields(pid) : null;
        return f == null ? 0 : Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** CPU ticks of every `postgres` process of the machine (the shared server may serve others too). */
    static long postgresTicks() {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> {
                        try {
                            return Files.readString(p.resolve("comm")).trim().equals("postgres");
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .mapToLong(p -> ticks(Long.parseLong(p.getFileName().toString())))
                    .sum();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Busy ticks of all CPUs together (/proc/stat). */
    static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return busy;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU ticks of the gateway, Kafka, PostgreSQL, this client and the machine at one instant. */
    record Cpu(long at, long gateway, long kafka, long postgres, long client, long machine) {
        /** The names of what {@link #coresSince} answers, in its order. */
        static final String[] NAMES = {"gateway", "kafka", "pg", "client", "machine"};

        static Cpu now(long gatewayPid, long kafkaPid) {
            return new Cpu(
                    System.nanoTime(),
                    ticks(gatewayPid),
                    ticks(kafkaPid),
                    postgresTicks(),
                    ticks(ProcessHandle.current().pid()),
                    machineBusyTicks());
        }

        /** Average cores each used since `before`: gateway, kafka, postgres, client, machine. */
        double[] coresSince(Cpu before, double clkTck) {
            double wall = (at - before.at) / 1e9;
            long[] d = {
                gateway - before.gateway,
                kafka - before.kafka,
                postgres - before.postgres,
                client - before.client,
                machine - before.machine
            };
            double[] out = new double[d.length];
            for (int i = 0; i < d.length; i++) {
                out[i] = d[i] / clkTck / wall;
            }
            return out;
        }
    }

    // ---- the sampler ------------------------------------------------------------------------------------------

    /**
     * Every `periodMs` the gateway's RSS, and every `metricsMs` the in-flight gauges and heap used from /q/metrics; keeps
     * the peaks and a CSV. Metrics are scraped less often because a scrape costs the gateway CPU (one every 200 ms took
     * 6.6 % of its CPU in P3, async-profiler); the calls-in-flight peak comes from a gauge that keeps its maximum, so it
     * is not missed between scrapes.
     */
    final class Sampler implements AutoCloseable {
        volatile boolean stop;
        final long gatewayPid;
        final StringBuilder csv =
                new StringBuilder("t_s,calls_in_flight,calls_in_flight_max,bulkhead_running,heap_mb,rss_mb,tasks_done\n");
        /** Timer whose `_count` is read at each metrics scrape (tasks done), or null. */
        final String doneTimer;
        /** (seconds since start, tasks done) at each metrics scrape that read it. */
        final List<double[]> done = new ArrayList<>();
        double peakInFlight = Double.NaN;
        double peakInFlightMax = Double.NaN;
        double peakBulkhead = Double.NaN;
        double peakHeapMb = Double.NaN;
        double peakRssMb = Double.NaN;
        int samples;
        final long startNanos = System.nanoTime();
        long stopNanos;
        private final Thread thread;

        Sampler(long gatewayPid, int periodMs, int metricsMs, boolean scrapeMetrics, String doneTimer) {
            this.gatewayPid = gatewayPid;
            this.doneTimer = doneTimer;
            long t0 = System.nanoTime();
            long metricsEvery = Math.max(1, Math.round((double) metricsMs / periodMs));
            thread = new Thread(
                    () -> {
                        long n = 0;
                        while (!stop) {
                            long next = System.nanoTime() + periodMs * 1_000_000L;
                            sample(t0, scrapeMetrics && n++ % metricsEvery == 0);
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            }
                        }
                    },
                    "sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void sample(long t0, boolean scrapeMetrics) {
            List<Series> m = scrapeMetrics ? scrape() : List.of();
            double inFlight = sum(m, IN_FLIGHT);
            double inFlightMax = sum(m, IN_FLIGHT_MAX);
            double bulkhead = sum(m, BULKHEAD_RUNNING);
            double heap = sum(m, HEAP_USED, Map.of("area", "heap")) / 1048576.0;
            double rss = gatewayPid > 0 ? procStatusMb(gatewayPid, "VmRSS") : Double.NaN;
            // A scrape without the timer's series means no task was done yet (it appears with the first one).
            double tasksDone = doneTimer == null || m.isEmpty()
                    ? Double.NaN
                    : Double.isNaN(sum(m, doneTimer + "_count")) ? 0 : sum(m, doneTimer + "_count");
            double at = (System.nanoTime() - t0) / 1e9;
            synchronized (this) {
                if (!Double.isNaN(tasksDone)) {
                    done.add(new double[] {at, tasksDone});
                }
                samples++;
                peakInFlight = max(peakInFlight, inFlight);
                peakInFlightMax = max(peakInFlightMax, inFlightMax);
                peakBulkhead = max(peakBulkhead, bulkhead);
                peakHeapMb = max(peakHeapMb, heap);
                peakRssMb = max(peakRssMb, rss);
                csv.append(String.format(
                        Locale.ROOT,
                        "%.2f,%s,%s,%s,%s,%s,%s%n",
                        at,
                        Compare.fmt(inFlight),
                        Compare.fmt(inFlightMax),
                        Compare.fmt(bulkhead),
                        Compare.fmt(heap),
                        Compare.fmt(rss),
                        Compare.fmt(tasksDone)));
            }
        }

        /**
         * Tasks done per second between the instants the run had done `from` and `to` (fractions) of the tasks it did,
         * each found by linear interpolation between the two scrapes around it; NaN with too few scrapes. This leaves
         * out the ramp (submits still arriving, in-flight slots filling) and the drain (the last round finishing while
         * no new task arrives): what is left is the steady state that max-in-flight ÷ mean task time describes.
         */
        synchronized double steadyRate(double from, double to) {
            if (done.size() < 3) {
                return Double.NaN;
            }
            double first = done.get(0)[1];
            double total = done.get(done.size() - 1)[1] - first;
            if (total <= 0) {
                return Double.NaN;
            }
            double t1 = timeAt(first + from * total);
            double t2 = timeAt(first + to * total);
            return t2 > t1 ? (to - from) * total / (t2 - t1) : Double.NaN;
        }

        private double timeAt(double count) {
            for (int i = 1; i < done.size(); i++) {
                double[] a = done.get(i - 1);
                double[] b = done.get(i);
                if (b[1] >= count) {
                    return b[1] == a[1] ? b[0] : a[0] + (b[0] - a[0]) * (count - a[1]) / (b[1] - a[1]);
                }
            }
            return done.get(done.size() - 1)[0];
        }

        /** Mean time between two samples (a slow /q/metrics on a busy box stretches it), ms. */
        double periodMs() {
            return samples == 0 ? Double.NaN : (stopNanos - startNanos) / 1e6 / samples;
        }

        static double max(double a, double b) {
            return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
        }

        @Override
        public void close() throws InterruptedException {
            if (!stop) {
                stop = true;
                stopNanos = System.nanoTime();
                thread.join(10_000);
            }
        }
    }
}

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;

/**
 * The comparison table: each gateway figure (results file) beside the floor's figure for the same work (the floor's
 * summary), their ratio, the target and PASS / FAIL. Rows without a target say `info`; rows whose figures are
 * missing say `n/a` (scenario skipped, or the gateway does not expose the metric).
 */
final class Table {
    final Compare c;
    final Map<String, Double> floor;
    final Map<String, Double> gw;
    final List<String> rows = new ArrayList<>();
    int failed;
    int passed;

    Table(Compare c) throws IOException {
        this.c = c;
        this.floor = read(c.opts.get("floor"));
        this.gw = read(c.str("results", null));
    }

    /** `name value unit` lines; anything else (comments, banners, `n/a`) is skipped. */
    static Map<String, Double> read(String file) throws IOException {
        Map<String, Double> m = new HashMap<>();
        if (file == null || file.isEmpty() || !Files.exists(Path.of(file))) {
            return m;
        }
        for (String line : Files.readAllLines(Path.of(file))) {
            String[] f = line.trim().replaceFirst("^RESULT ", "").split("\\s+");
            if (f.length >= 2 && !f[0].startsWith("#") && !f[0].startsWith("=")) {
                try {
                    m.put(f[0], Double.parseDouble(f[1]));
                } catch (NumberFormatException ignored) {
                    // n/a or text
                }
            }
        }
        return m;
    }

    double f(String name) {
        return floor.getOrDefault(name, Double.NaN);
    }

    double g(String name) {
        return gw.getOrDefault(name, Double.NaN);
    }

    /** A row comparing gateway with floor: the target is on gateway / floor. */
    void ratioRow(String scenario, String figure, double fl, double gwv, String target, DoublePredicate pass) {
        double ratio = gwv / fl;
        row(scenario, figure, fl, gwv, ratio, target, pass == null ? null : Double.isNaN(ratio) ? null : pass.test(ratio),
                pass != null);
    }

    /** A row with an absolute target on the gateway figure. */
    void absRow(String scenario, String figure, double gwv, String target, DoublePredicate pass) {
        row(scenario, figure, Double.NaN, gwv, Double.NaN, target, pass == null || Double.isNaN(gwv) ? null
                : pass.test(gwv), pass != null);
    }

    void row(String scenario, String figure, double fl, double gwv, double ratio, String target, Boolean ok,
            boolean judged) {
        String verdict = !judged ? "info" : ok == null ? "n/a" : ok ? "PASS" : "FAIL";
        if (judged && ok != null) {
            if (ok) {
                passed++;
            } else {
                failed++;
            }
        }
        rows.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |", scenario, figure, cell(fl),
                cell(gwv), Double.isNaN(ratio) || Double.isInfinite(ratio) ? "–" : String.format(Locale.ROOT, "%.2f",
                ratio), target, verdict));
    }

    /** Workflows of an end-to-end run that were refused or sent no webhook in time: its figures are then partial. */
    void unfinishedRow(String scenario, String prefix) {
        double v = g(prefix + ".submit.refused") + g(prefix + ".webhooks_missing");
        absRow(scenario, "workflows refused or without webhook", v, "0", x -> x == 0);
    }

    static String cell(double v) {
        return Double.isNaN(v) ? "–" : Compare.fmt(v);
    }

    static double median(List<Double> v) {
        List<Double> s = v.stream().filter(x -> !x.isNaN()).sorted().toList();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    int print() throws IOException {
        for (int k : new int[] {1, 4}) {
            String s = "P1 ingest, " + k + " client" + (k > 1 ? "s" : "");
            ratioRow(s, "submits/s", f("ingest.full.c" + k + ".submits_per_s"), g("p1.c" + k + ".submits_per_s"),
                    "ratio ≥ 0.6", r -> r >= 0.6);
            ratioRow(s, "p50 ms", f("ingest.full.c" + k + ".p50"), g("p1.c" + k + ".p50"), "–", null);
            ratioRow(s, "p99 ms", f("ingest.full.c" + k + ".p99"), g("p1.c" + k + ".p99"), "–", null);
            absRow(s, "gateway CPU ms per submit (Kafka " + cell(g("p1.c" + k + ".cpu_ms_kafka")) + ", PostgreSQL "
                    + cell(g("p1.c" + k + ".cpu_ms_pg")) + ")", g("p1.c" + k + ".cpu_ms_gateway"), "–", null);
        }
        String open = "P1 ingest, open loop 50/s";
        ratioRow(open, "p99 ms (from due time)", f("ingest.full.rate50.p99"), g("p1.rate50.p99"), "ratio ≤ 2",
                r -> r <= 2);
        ratioRow(open, "p50 ms (from due time)", f("ingest.full.rate50.p50"), g("p1.rate50.p50"), "–", null);
        absRow(open, "client sends > 5 ms late (max lag " + cell(g("p1.rate50.client_max_lag")) + " ms)",
                g("p1.rate50.client_late_sends"), "0 (else the client lagged)", null);
        double refused = g("p1.c1.refused") + g("p1.c4.refused") + g("p1.rate50.refused");
        absRow("P1 ingest, all loops", "submits not accepted (HTTP error, timeout 60 s)", refused, "0", v -> v == 0);
        ratioRow("P2 end to end, none, 4 clients", "contacts settled/s", f("pipeline.batch.contacts_per_s"),
                g("p2.contacts_per_s"), "ratio ≥ 0.5", r -> r >= 0.5);

        unfinishedRow("P2 end to end, none, 4 clients", "p2");
        String slow = "P3 slow providers (500 ms)";
        double sampled = g("p3.peak_calls_in_flight");
        double maxGauge = g("p3.peak_calls_in_flight_max_gauge");
        double inFlight = Probe.Sampler.max(sampled, maxGauge);
        String source = "calls_in_flight";
        if (Double.isNaN(inFlight)) {
            inFlight = g("p3.peak_bulkhead_running_sum");
            source = "sum of bulkhead_running";
        }
        absRow(slow, "peak provider calls in flight (" + source + ")", inFlight, "≥ 2000", v -> v >= 2000);
        ratioRow(slow, "tasks/s in the steady state, 20-80 % of tasks done (floor column: ideal = max-in-flight ÷"
                + " mean task time)", g("p3.ideal_tasks_per_s"), g("p3.steady_tasks_per_s"), "ratio ≥ 0.8",
                r -> r >= 0.8);
        ratioRow(slow, "tasks/s over the whole run, ramp and drain included (floor column: ideal)",
                g("p3.ideal_tasks_per_s"), g("p3.tasks_per_s"), "–", null);
        unfinishedRow(slow, "p3");
        absRow(slow, "mean task time ms", g("p3.mean_task"), "–", null);
        absRow(slow, "peak heap used MB", g("p3.peak_heap_used"), "≤ 512", v -> v <= 512);
        absRow(slow, "peak RSS MB", g("p3.peak_rss"), "–", null);

        absRow("P4 footprint", "peak RSS MB during P2 (VmRSS, 200 ms samples)", g("p2.peak_rss"), "≤ 400",
                v -> v <= 400);
        absRow("P4 footprint", "VmHWM MB at the end of P2", g("p2.hwm_rss"), "–", null);
        List<Double> ready = new ArrayList<>();
        List<Double> quarkus = new ArrayList<>();
        List<Double> startCpu = new ArrayList<>();
        List<Double> bare = new ArrayList<>();
        gw.forEach((k, v) -> {
            if (k.matches("p4\\.bare\\.launch\\d+\\.ready")) {
                bare.add(v);
            }
            if (k.matches("p4\\.launch\\d+\\.cpu")) {
                startCpu.add(v);
            }
            if (k.matches("p4\\.launch\\d+\\.ready")) {
                ready.add(v);
            }
            if (k.matches("p4\\.launch\\d+\\.quarkus_started")) {
                quarkus.add(v);
            }
        });
        absRow("P4 start", "launch → ready s, median of " + ready.size(), median(ready), "≤ 3", v -> v <= 3);
        ratioRow("P4 start", "launch → ready s, median (floor column: a bare application of the fixed choices,"
                + " bench/startup-floor)", median(bare), median(ready), "–", null);
        absRow("P4 start", "Quarkus \"started in\" s, median", median(quarkus), "–", null);
        absRow("P4 start", "gateway CPU s until ready, median", median(startCpu), "–", null);

        String p5 = "P5 overhead at half P2's rate";
        absRow(p5, "settle delay p99 ms (result produced → settled)", g("p5.settle_delay.p99"), "≤ 20",
                v -> v <= 20);
        absRow(p5, "turnaround p99 ms (submitted → settled)", g("p5.turnaround.p99"), "–", null);
        absRow(p5, "settle delay p50 ms", g("p5.settle_delay.p50"), "–", null);
        ratioRow(p5, "settle delay p99 ms (floor column: plain clients doing P5's work at the same rate,"
                + " bench/P5Floor.java)", g("p5.plain.settle_delay.p99"), g("p5.settle_delay.p99"), "–", null);
        ratioRow(p5, "settle delay p50 ms (floor column: the same plain clients)", g("p5.plain.settle_delay.p50"),
                g("p5.settle_delay.p50"), "–", null);
        // The aggregator's part of the settle delay: a polled batch's wait behind the running settle, then its own.
        absRow(p5, "a poll's wait for its settle p50 ms", g("p5.aggregator_settle_wait.p50"), "–", null);
        absRow(p5, "a poll's wait for its settle p99 ms", g("p5.aggregator_settle_wait.p99"), "–", null);
        absRow(p5, "one settle, start to commit, p50 ms", g("p5.aggregator_settles.p50"), "–", null);
        absRow(p5, "one settle, start to commit, p99 ms", g("p5.aggregator_settles.p99"), "–", null);
        absRow(p5, "results per settle, mean", g("p5.settle_delay.count") / g("p5.aggregator_settles.count"), "–", null);
        unfinishedRow(p5, "p5");
        absRow(p5, "offered contacts/s (half of P2's)", g("p5.offered_contacts_per_s"), "–", null);

        StringBuilder out = new StringBuilder();
        String context = c.opts.get("context");
        if (context != null) {
            out.append(context).append("\n\n");
        }
        out.append("| scenario | figure | floor | gateway | ratio | target | result |\n");
        out.append("|---|---|---|---|---|---|---|\n");
        rows.forEach(r -> out.append(r).append('\n'));
        out.append(String.format(Locale.ROOT, "%n%d PASS, %d FAIL (rows with n/a were not run or not measurable)%n",
                passed, failed));
        out.append("\nCPU during P2, average cores used over the window (the box has ")
                .append(Runtime.getRuntime().availableProcessors())
                .append("; floor = pipeline.batch)\n\n| process | floor | gateway run |\n|---|---|---|\n");
        String[][] cpu = {
            {"gateway (floor: its bench JVM)", "cpu_bench", "cpu_gateway"},
            {"Kafka", "cpu_broker", "cpu_kafka"},
            {"PostgreSQL (all postgres processes)", "cpu_pg", "cpu_pg"},
            {"bench client", "–", "cpu_client"},
            {"whole machine", "cpu_machine", "cpu_machine"}
        };
        for (String[] r : cpu) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", r[0],
                    cell(f("pipeline.batch." + r[1])), cell(g("p2." + r[2]))));
        }
        System.out.print(out);
        if (c.has("markdown")) {
            Files.writeString(Path.of(c.str("markdown", null)), out.toString());
        }
        return failed > 0 ? 1 : 0;
    }
}

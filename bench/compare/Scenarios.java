import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** The three measurements: ingest (submits only), end to end (submit -> webhook) and launch -> ready. */
final class Scenarios {
    static final Set<String> TERMINAL = Set.of("completed", "completed_with_errors", "failed");

    final Compare c;

    Scenarios(Compare c) {
        this.c = c;
    }

    Load load(String type, String webhookUrl, int threads) {
        return new Load(c.str("base-url", null), c.str("key", null), type, c.integer("contacts", 250), webhookUrl,
                threads);
    }

    // ---- P1: closed and open loop of submits ------------------------------------------------------------------

    int ingest() throws Exception {
        String prefix = c.str("prefix", "p1");
        int submits = c.integer("submits", 400);
        int warmup = c.integer("warmup", 50);
        double rate = c.num("rate", 50);
        int rateSubmits = c.integer("rate-submits", 1000);
        int[] clients = Arrays.stream(c.str("clients", "1,4").split(",")).mapToInt(Integer::parseInt).toArray();
        // The open loop may have rate x (slowest answer) submits on the wire at once: one HTTP thread each is plenty.
        Load load = load(c.str("type", "partial"), null, 64);
        double warmupSeconds = c.num("warmup-seconds", 0);
        long gatewayPid = (long) c.num("gateway-pid", 0);
        long kafkaPid = (long) c.num("kafka-pid", 0);
        double clkTck = c.num("clk-tck", 100);
        String beforePhase = c.str("before-phase", null);
        int next = 0;
        boolean ok = true;
        // As the floor does before its first timed phase: seconds of un-timed submits by 4 clients, so that the JIT,
        // the broker and PostgreSQL reach a steady state before anything is timed.
        if (warmupSeconds > 0) {
            Compare.say("ingest: " + Compare.fmt(warmupSeconds) + " s of un-timed warm-up submits, 4 clients");
            long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
            while (System.nanoTime() < until) {
                next += load.closedLoop(next, 20, 4).submits().size();
            }
        }
        for (int k : clients) {
            if (warmup > 0) {
                Compare.say("ingest: " + warmup + " un-timed warm-up submits, " + k + " client(s)");
                next += load.closedLoop(next, warmup, k).submits().size();
            }
            beforePhase(beforePhase);
            Compare.say("ingest: closed loop, " + submits + " submits, " + k + " client(s)");
            Probe.Cpu cpu0 = Probe.Cpu.now(gatewayPid, kafkaPid);
            Load.Run run = load.closedLoop(next, submits, k);
            Probe.Cpu cpu1 = Probe.Cpu.now(gatewayPid, kafkaPid);
            next += submits;
            ok &= report(prefix + ".c" + k, run, submits);
            c.emit(prefix + ".c" + k + ".submits_per_s", submits / run.wallSeconds(), "submits/s");
            // CPU per submit is steadier than submits/s on a shared machine: what an A/B of one change should read.
            if (gatewayPid > 0) {
                double[] cores = cpu1.coresSince(cpu0, clkTck);
                double msPerSubmit = run.wallSeconds() * 1000 / submits;
                for (int i = 0; i < cores.length; i++) {
                    c.emit(prefix + ".c" + k + ".cpu_ms_" + Probe.Cpu.NAMES[i], cores[i] * msPerSubmit, "ms/submit");
                }
            }
        }
        if (rateSubmits > 0) {
            if (warmup > 0) {
                next += load.closedLoop(next, warmup, 4).submits().size();
            }
            beforePhase(beforePhase);
            String name = prefix + ".rate" + Compare.fmt(rate).replace(".00", "");
            Compare.say("ingest: open loop, " + rateSubmits + " submits due at " + rate + "/s");
            Load.Run run = load.openLoop(next, rateSubmits, rate);
            ok &= report(name, run, rateSubmits);
            c.emit(name + ".achieved_per_s", run.ok() / run.wallSeconds(), "submits/s");
            c.emit(name + ".client_max_lag", run.maxLagNanos() / 1e6, "ms");
            c.emit(name + ".client_late_sends", run.lateSends(), "submits");
            // As the floor prints its slowest: when in the loop the tail happened, and whether the client sent late.
            Compare.say(name + " slowest (due s: ms, sent late ms): " + run.submits().stream()
                    .sorted(java.util.Comparator.comparingLong(Load.Submit::latencyNanos).reversed())
                    .limit(8)
                    .map(s -> Compare.fmt((s.due() - run.startNanos()) / 1e9) + ": " + Compare.fmt(s.latencyNanos() / 1e6)
                            + " (" + Compare.fmt((s.sent() - s.due()) / 1e6) + ")")
                    .collect(java.util.stream.Collectors.joining(", ")));
            if (run.lateSends() > 0) {
                Compare.say("WARNING: the client sent " + run.lateSends() + " submits more than 5 ms after their due"
                        + " time (max " + Compare.fmt(run.maxLagNanos() / 1e6) + " ms); latencies still count from"
                        + " the due time");
            }
        }
        load.errors.forEach(e -> Compare.say("error: " + e));
        return ok ? 0 : 1;
    }

    /**
     * The command run before each timed loop of P1, as the floor checkpoints PostgreSQL before each of its phases (so
     * that a checkpoint forced by the previous phase's WAL does not land in the next); a failure is reported, not fatal.
     */
    static void beforePhase(String command) throws IOException, InterruptedException {
        if (command == null || command.isBlank()) {
            return;
        }
        Process process = new ProcessBuilder("bash", "-c", command).inheritIO().start();
        if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            Compare.say("before-phase command still running after 120 s; stopped it");
        } else if (process.exitValue() != 0) {
            Compare.say("before-phase command exited with " + process.exitValue());
        }
    }

    /** p50 / p99 / max of every submit and the count of those not accepted; false when any was not accepted. */
    boolean report(String name, Load.Run run, int expected) throws IOException {
        long[] lat = run.latenciesSorted();
        c.emit(name + ".p50", Compare.pctMs(lat, 50), "ms");
        c.emit(name + ".p99", Compare.pctMs(lat, 99), "ms");
        c.emit(name + ".max", Compare.pctMs(lat, 100), "ms");
        long failed = expected - run.ok();
        c.emit(name + ".refused", failed, "submits");
        if (failed > 0) {
            Compare.say(name + ": answers " + run.outcomes());
        }
        return failed == 0;
    }

    // ---- P2, P3, P5: submit -> every workflow's webhook ---------------------------------------------------------

    int endToEnd() throws Exception {
        String prefix = c.str("prefix", "p2");
        int workflows = c.integer("workflows", 200);
        int contacts = c.integer("contacts", 250);
        int clients = c.integer("clients", 4);
        int warmup = c.integer("warmup-workflows", 0);
        long timeoutNanos = TimeUnit.SECONDS.toNanos(c.integer("timeout", 600));
        long gatewayPid = (long) c.num("gateway-pid", 0);
        long kafkaPid = (long) c.num("kafka-pid", 0);
        double clkTck = c.num("clk-tck", 100);
        List<String> histograms = List.of(c.str("histograms", "").split(",")).stream()
                .filter(s -> !s.isBlank())
                .toList();
        String timer = c.str("timer", "cascade_waterfall_tasks_seconds");
        Probe probe = new Probe(c.str("management-url", null));
        boolean ok = true;
        try (Hooks hooks = new Hooks()) {
            Load load = load(c.str("type", "none"), hooks.url(), 64);
            if (warmup > 0) {
                Compare.say(prefix + ": " + warmup + " un-timed warm-up workflows");
                Load.Run w = load.closedLoop(0, warmup, clients);
                awaitHooks(hooks, w, System.nanoTime() + timeoutNanos);
            }
            List<Probe.Series> before = probe.scrape();
            Probe.Cpu cpu0 = Probe.Cpu.now(gatewayPid, kafkaPid);
            Load.Run run;
            int missing;
            Probe.Cpu cpu1;
            double steady;
            try (Probe.Sampler sampler =
                    probe.new Sampler(
                            gatewayPid,
                            c.integer("sample-ms", 200),
                            c.integer("metrics-ms", 1000),
                            c.has("max-in-flight"),
                            c.has("max-in-flight") ? timer : null)) {
                if (c.has("rate")) {
                    Compare.say(prefix + ": open loop, " + workflows + " x " + contacts + " due at " + c.num("rate", 0)
                            + " submits/s");
                    run = load.openLoop(warmup, workflows, c.num("rate", 1));
                } else {
                    Compare.say(prefix + ": " + workflows + " x " + contacts + ", " + clients + " clients");
                    run = load.closedLoop(warmup, workflows, clients);
                }
                missing = awaitHooks(hooks, run, run.startNanos() + timeoutNanos);
                cpu1 = Probe.Cpu.now(gatewayPid, kafkaPid);
                sampler.close();
                steady = sampler.steadyRate(0.2, 0.8);
                emitSampler(prefix, sampler, gatewayPid);
                if (c.has("csv")) {
                    Files.writeString(Path.of(c.str("csv", null)), sampler.csv);
                }
            }
            List<Probe.Series> after = probe.scrape();

            long lastHook = run.startNanos();
            long settled = 0;
            long failedTasks = 0;
            int terminal = 0;
            Map<String, Integer> statuses = new TreeMap<>();
            for (Load.Submit s : run.submits()) {
                Hooks.Hook h = s.ok() ? hooks.byWorkflow.get(s.workflowId()) : null;
                if (h != null) {
                    lastHook = Math.max(lastHook, h.at());
                    settled += h.successful() + h.failed();
                    failedTasks += h.failed();
                    terminal += TERMINAL.contains(h.status()) ? 1 : 0;
                    statuses.merge(h.status(), 1, Integer::sum);
                }
            }
            double window = (lastHook - run.startNanos()) / 1e9;
            ok &= report(prefix + ".submit", run, workflows);
            if (c.has("rate")) {
                c.emit(prefix + ".client_late_sends", run.lateSends(), "submits");
            }
            c.emit(prefix + ".workflows_terminal", terminal, "workflows");
            c.emit(prefix + ".webhooks_missing", missing, "workflows");
            c.emit(prefix + ".webhook_duplicates", hooks.duplicates.get(), "events");
            c.emit(prefix + ".contacts_settled", settled, "contacts");
            c.emit(prefix + ".tasks_failed", failedTasks, "tasks");
            c.emit(prefix + ".window", window, "s");
            c.emit(prefix + ".contacts_per_s", settled / window, "contacts/s");
            Compare.say(prefix + ": workflow statuses " + statuses + "; first submit -> last webhook "
                    + Compare.fmt(window) + " s");
            double[] cores = cpu1.coresSince(cpu0, clkTck);
            for (int i = 0; i < cores.length; i++) {
                c.emit(prefix + ".cpu_" + Probe.Cpu.NAMES[i], cores[i], "cores");
            }
            double[] t = Probe.countSum(before, after, timer);
            double meanTask = t[0] > 0 ? t[1] / t[0] : Double.NaN;
            c.emit(prefix + ".tasks_timed", t[0], "tasks");
            c.emit(prefix + ".mean_task", meanTask * 1000, "ms");
            if (c.has("max-in-flight")) {
                double maxInFlight = c.num("max-in-flight", 0);
                c.emit(prefix + ".tasks_per_s", settled / window, "tasks/s");
                c.emit(prefix + ".ideal_tasks_per_s", maxInFlight / meanTask, "tasks/s");
                c.emit(prefix + ".steady_tasks_per_s", steady, "tasks/s");
            }
            for (String h : histograms) {
                emitHistogram(prefix + "." + h.replaceFirst("^cascade_(task_)?", "").replaceFirst("_seconds$", ""),
                        h, before, after);
            }
            ok &= missing == 0;
            load.errors.forEach(e -> Compare.say("error: " + e));
        }
        return ok ? 0 : 1;
    }

    /** Waits until every accepted workflow of `run` has its webhook; returns how many have none by `deadline`. */
    int awaitHooks(Hooks hooks, Load.Run run, long deadline) throws InterruptedException {
        List<String> ids = run.submits().stream().filter(Load.Submit::ok).map(Load.Submit::workflowId).toList();
        while (true) {
            int missing = (int) ids.stream().filter(id -> !hooks.byWorkflow.containsKey(id)).count();
            if (missing == 0 || System.nanoTime() > deadline) {
                if (missing > 0) {
                    Compare.say("WARNING: " + missing + " workflows sent no webhook in time, e.g. "
                            + ids.stream().filter(id -> !hooks.byWorkflow.containsKey(id)).limit(3).toList());
                }
                return missing;
            }
            Thread.sleep(20);
        }
    }

    void emitSampler(String prefix, Probe.Sampler s, long gatewayPid) throws IOException {
        c.emit(prefix + ".samples", s.samples, "samples");
        c.emit(prefix + ".sample_period", s.periodMs(), "ms");
        c.emit(prefix + ".peak_rss", s.peakRssMb, "MB");
        c.emit(prefix + ".hwm_rss", gatewayPid > 0 ? Probe.procStatusMb(gatewayPid, "VmHWM") : Double.NaN, "MB");
        if (c.has("max-in-flight")) {
            c.emit(prefix + ".peak_calls_in_flight", s.peakInFlight, "calls");
            c.emit(prefix + ".peak_calls_in_flight_max_gauge", s.peakInFlightMax, "calls");
            c.emit(prefix + ".peak_bulkhead_running_sum", s.peakBulkhead, "calls");
            c.emit(prefix + ".peak_heap_used", s.peakHeapMb, "MB");
        }
    }

    /**
     * p50 / p99 of what histogram `name` observed during the run (difference of its `_bucket` series), in ms. Without
     * buckets, the gateway's own `quantile="0.99"` series if it publishes one (a recent window, not exactly the run).
     */
    void emitHistogram(String label, String name, List<Probe.Series> before, List<Probe.Series> after)
            throws IOException {
        TreeMap<Double, Double> b0 = Probe.buckets(before, name);
        TreeMap<Double, Double> b1 = Probe.buckets(after, name);
        double[] cs = Probe.countSum(before, after, name);
        double p50 = Probe.quantile(b0, b1, 0.50);
        double p99 = Probe.quantile(b0, b1, 0.99);
        if (b1.isEmpty()) {
            p50 = Probe.sum(after, name, Map.of("quantile", "0.5"));
            p99 = Probe.sum(after, name, Map.of("quantile", "0.99"));
        }
        c.emit(label + ".count", cs[0] > 0 ? cs[0] : Double.NaN, "observations");
        c.emit(label + ".mean", cs[0] > 0 ? cs[1] / cs[0] * 1000 : Double.NaN, "ms");
        c.emit(label + ".p50", p50 * 1000, "ms");
        c.emit(label + ".p99", p99 * 1000, "ms");
    }

    // ---- P4: launch -> ready -----------------------------------------------------------------------------------

    /**
     * Started before the gateway's launcher: waits for the pid file, takes the process's start time from
     * /proc/PID/stat (ticks since boot) and polls the ready URL every 20 ms; launch -> ready is the first 200's
     * instant (/proc/uptime) minus that start time.
     */
    int launch() throws Exception {
        String prefix = c.str("prefix", "p4.launch");
        Path pidFile = Path.of(c.str("pid-file", null));
        URI url = URI.create(c.str("url", null));
        double clkTck = c.num("clk-tck", 100);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(c.integer("timeout", 180));
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(500))
                .build();
        HttpRequest ready = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build();
        double startS = Double.NaN;
        long pid = 0;
        while (System.nanoTime() < deadline) {
            if (Double.isNaN(startS) && Files.exists(pidFile)) {
                try {
                    pid = Long.parseLong(Files.readString(pidFile).trim().split("\\s+")[0]);
                    String[] f = Probe.statFields(pid);
                    startS = f == null ? Double.NaN : Long.parseLong(f[19]) / clkTck;
                } catch (RuntimeException e) {
                    startS = Double.NaN; // being written
                }
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    double now = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split("\\s+")[0]);
                    if (Double.isNaN(startS)) {
                        Compare.say("launch: ready before the pid file appeared: nothing measured");
                        return 1;
                    }
                    c.emit(prefix + ".ready", now - startS, "s");
                    // On 2 cores a start is bound by its CPU as much as by its waits: both say where to look.
                    c.emit(prefix + ".cpu", Probe.ticks(pid) / clkTck, "s");
                    return 0;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        Compare.say("launch: not ready in time");
        c.emit(prefix + ".ready", Double.NaN, "s");
        return 1;
    }
}

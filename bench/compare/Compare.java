/*
 * The gateway side of bench/compare.sh (read its header first). Compiled together with bench/Bench.java (for its
 * JSON reader) by compare.sh; Java 17, java.net.http and the JDK's HttpServer only.
 *
 *   java -cp CLASSES Compare ingest --base-url URL --key KEY --results FILE [--prefix p1] [--clients 1,4]
 *        [--submits 400] [--rate 50] [--rate-submits 1000] [--warmup 50] [--warmup-seconds 0] [--before-phase CMD]
 *        [--type partial] [--contacts 250]
 *   java -cp CLASSES Compare e2e    --base-url URL --management-url URL --key KEY --results FILE [--prefix p2] [--type none]
 *        [--workflows 200] [--contacts 250] (--clients 4 | --rate SUBMITS_PER_S) [--warmup-workflows 20]
 *        [--timeout 600] [--gateway-pid PID] [--kafka-pid PID] [--sample-ms 200] [--metrics-ms 1000] [--csv FILE] [--max-in-flight N]
 *        [--histograms a,b] [--timer NAME]
 *   java -cp CLASSES Compare launch --url READY_URL (on the management port) --pid-file FILE --results FILE --prefix p4.launch1 [--timeout 180]
 *   java -cp CLASSES Compare table  --floor FLOOR_SUMMARY --results FILE [--markdown OUT.md] [--context TEXT]
 *
 * Each figure is written as one `name value unit` line (the floor's summary format) to --results and to stdout;
 * `n/a` when the gateway does not expose what it needs. Exit code: 0 done, 1 the run itself failed (submits refused,
 * workflows or webhooks missing), 2 bad arguments.
 */

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

public final class Compare {
    final Map<String, String> opts = new HashMap<>();
    Path results;

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: Compare ingest|e2e|launch|table --option value … (see the header of Compare.java)");
            System.exit(2);
        }
        Compare c = new Compare();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("compare: expected --option value, got '" + args[i] + "'");
                System.exit(2);
            }
            c.opts.put(args[i].substring(2), args[++i]);
        }
        String r = c.opts.get("results");
        c.results = r == null ? null : Path.of(r);
        int rc;
        try {
            rc = switch (args[0]) {
                case "ingest" -> new Scenarios(c).ingest();
                case "e2e" -> new Scenarios(c).endToEnd();
                case "launch" -> new Scenarios(c).launch();
                case "table" -> new Table(c).print();
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            };
        } catch (IllegalArgumentException e) {
            System.err.println("compare: " + e.getMessage());
            rc = 2;
        }
        System.exit(rc);
    }

    String str(String name, String dflt) {
        String v = opts.get(name);
        if (v == null && dflt == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v == null ? dflt : v;
    }

    double num(String name, double dflt) {
        String v = opts.get(name);
        try {
            return v == null ? dflt : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    int integer(String name, int dflt) {
        return (int) num(name, dflt);
    }

    boolean has(String name) {
        return opts.containsKey(name);
    }

    /** Writes one figure (`name value unit`) to the results file and to stdout. */
    void emit(String name, double value, String unit) throws IOException {
        String line = name + " " + fmt(value) + " " + unit + "\n";
        System.out.print(line);
        if (results != null) {
            Files.writeString(
                    results, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** Like the floor's summary (no decimals from 100 on, two below), whole numbers without decimals; NaN `n/a`. */
    static String fmt(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Nearest-rank percentile of sorted nanoseconds, in ms; NaN when empty. */
    static double pctMs(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] / 1e6;
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static void say(String s) {
        System.err.println("[compare] " + s);
    }
}

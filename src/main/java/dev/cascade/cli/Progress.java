package dev.cascade.cli;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The progress of a run across its workflows, fed by their progress streams: contacts settled, emails and phones
 * found, credits charged, and an ETA from the rate so far. Drawn as a bar redrawn in place (carriage returns) on a
 * terminal, as a plain line per 10 % otherwise, or not at all.
 *
 * <p>Tasks are counted by id, so an event a reconnected stream sends again is not counted twice.
 */
final class Progress {
    enum Mode {
        BAR,
        PLAIN,
        NONE
    }

    private static final int WIDTH = 30;

    private static final class Workflow {
        int total;
        final Set<String> settled = new HashSet<>();
        final Set<String> emails = new HashSet<>();
        final Set<String> phones = new HashSet<>();
        int settledByCounters;
        int emailsByCounters;
        int phonesByCounters;
        double credits;
        String status = "pending";
    }

    private final Map<String, Workflow> workflows = new LinkedHashMap<>();
    private final Mode mode;
    private final PrintStream out;
    private final long started = System.nanoTime();
    private long firstSettledAt;
    private int lastBucket = -1;
    private String lastFrame = "";
    private boolean finished;

    Progress(Mode mode, PrintStream out) {
        this.mode = mode;
        this.out = out;
    }

    synchronized void add(String workflowId, int total) {
        workflows.computeIfAbsent(workflowId, id -> new Workflow()).total = total;
    }

    /** A `task` event: one result item of a settled task. */
    synchronized void task(String workflowId, JsonNode item) {
        Workflow w = workflows.get(workflowId);
        String task = item.path("task_id").asText("");
        if (w == null || task.isEmpty()) {
            return;
        }
        if (firstSettledAt == 0) {
            firstSettledAt = System.nanoTime();
        }
        w.settled.add(task);
        if (item.hasNonNull("primary_email")) {
            w.emails.add(task);
        }
        if (item.path("personal_phone_numbers").size() > 0) {
            w.phones.add(task);
        }
    }

    /** A `workflow` event or a status answer: the workflow's counters and credits. */
    synchronized void workflow(String workflowId, JsonNode view) {
        Workflow w = workflows.get(workflowId);
        if (w == null) {
            return;
        }
        w.status = view.path("status").asText(w.status);
        w.settledByCounters = Math.max(
                w.settledByCounters,
                view.path("completed_prospects").asInt()
                        + view.path("failed_prospects").asInt());
        w.emailsByCounters =
                Math.max(w.emailsByCounters, view.path("emails_found").asInt());
        w.phonesByCounters =
                Math.max(w.phonesByCounters, view.path("phones_found").asInt());
        if (view.has("credits_charged")) {
            w.credits = Math.max(w.credits, view.path("credits_charged").asDouble());
        }
    }

    synchronized boolean terminal(String workflowId) {
        Workflow w = workflows.get(workflowId);
        return w != null && WorkflowCommands.TERMINAL.contains(w.status);
    }

    /** A workflow still running, taken round-robin for a credits refresh; null when all are done. */
    synchronized String running(int turn) {
        var open = workflows.entrySet().stream()
                .filter(e -> !WorkflowCommands.TERMINAL.contains(e.getValue().status))
                .map(Map.Entry::getKey)
                .toList();
        return open.isEmpty() ? null : open.get(Math.floorMod(turn, open.size()));
    }

    /** Totals across the run. */
    record Totals(int total, int settled, int emails, int phones, double credits, long etaSeconds) {
        int percent() {
            return total == 0 ? 100 : (int) Math.floor(100.0 * settled / total);
        }
    }

    synchronized Totals totals() {
        int total = 0;
        int settled = 0;
        int emails = 0;
        int phones = 0;
        double credits = 0;
        for (Workflow w : workflows.values()) {
            total += w.total;
            settled += Math.min(w.total, Math.max(w.settled.size(), w.settledByCounters));
            emails += Math.max(w.emails.size(), w.emailsByCounters);
            phones += Math.max(w.phones.size(), w.phonesByCounters);
            credits += w.credits;
        }
        long eta = -1;
        // The first few settlements say little about the rate: no ETA until 2 % (at least 5 contacts) have settled.
        if (settled >= Math.max(5, total / 50) && settled < total && firstSettledAt != 0) {
            double seconds = (System.nanoTime() - firstSettledAt) / 1e9;
            eta = Math.round(seconds / settled * (total - settled));
        } else if (settled >= total) {
            eta = 0;
        }
        return new Totals(total, settled, emails, phones, credits, eta);
    }

    /** Draws the current state (the bar only when it changed; a plain line per 10 % step). */
    synchronized void render() {
        if (finished || mode == Mode.NONE) {
            return;
        }
        Totals t = totals();
        if (mode == Mode.BAR) {
            String frame = bar(t);
            if (!frame.equals(lastFrame)) {
                out.print("\r" + frame);
                out.flush();
                lastFrame = frame;
            }
            return;
        }
        int bucket = t.percent() / 10;
        if (bucket != lastBucket) {
            lastBucket = bucket;
            out.println("progress: " + line(t));
            out.flush();
        }
    }

    /** The last frame: 100 % when everything settled, then a line break so later output starts on its own line. */
    synchronized void finish() {
        render();
        if (mode == Mode.BAR && !finished) {
            out.print("\n");
            out.flush();
        }
        finished = true;
    }

    private String bar(Totals t) {
        int filled = t.total == 0 ? WIDTH : (int) ((long) WIDTH * t.settled / t.total);
        String eta = t.etaSeconds < 0 ? "--:--" : clock(t.etaSeconds);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + String.format("%3d%%", t.percent())
                + " " + t.settled + "/" + t.total + " contacts | " + t.emails + " emails | " + t.phones + " phones | "
                + credits(t.credits) + " credits | ETA " + eta + "  ";
    }

    static String line(Totals t) {
        return t.settled + "/" + t.total + " contacts settled (" + t.percent() + "%), " + t.emails + " emails, "
                + t.phones + " phones, " + credits(t.credits) + " credits";
    }

    static String credits(double c) {
        return c == Math.rint(c) ? Long.toString((long) c) : String.format("%.2f", c);
    }

    long elapsedSeconds() {
        return (System.nanoTime() - started) / 1_000_000_000L;
    }

    static String clock(long seconds) {
        return seconds >= 3600
                ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}

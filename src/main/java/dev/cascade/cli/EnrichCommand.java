package dev.cascade.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `cascade enrich FILE`: reads a CSV of contacts, submits it in batches of up to 250 with an `Idempotency-Key` per
 * batch derived from the batch's content and index (so rerunning the same command after a crash or Ctrl-C replays
 * what was already submitted — same workflows, no second hold or charge — and submits only the rest), follows the
 * workflows' progress streams, and writes their exports joined back to the input rows.
 */
@Command(name = "enrich", description = "Enrich a CSV of contacts and write the results joined to its rows.")
final class EnrichCommand extends Base {
    static final int MAX_BATCH = 250;
    private static final List<String> TYPES = List.of("none", "partial", "phone_only", "full", "prospecting_only");

    @Parameters(paramLabel = "FILE", description = "CSV with a header row (linkedin_url, first_name, ...).")
    Path file;

    @Option(
            names = "--type",
            paramLabel = "TYPE",
            description = "none, partial (default), phone_only, full, prospecting_only.")
    String type = "partial";

    @Option(names = "--out", paramLabel = "FILE", description = "Results file (default FILE-results.csv|.ndjson).")
    Path out;

    @Option(names = "--format", paramLabel = "FORMAT", description = "csv (default) or ndjson.")
    String format;

    @Option(names = "--webhook", paramLabel = "URL", description = "webhook_url of every batch's workflow.")
    String webhook;

    @Option(
            names = "--waterfall",
            paramLabel = "SPEC",
            description = "Waterfall control: a JSON object, or repeated email=a,b phone=c verify=d stop_on=reliable.")
    List<String> waterfall = new ArrayList<>();

    @Option(
            names = "--max-credits",
            paramLabel = "N",
            description = "Most credits the whole run may charge (split across batches by their size).")
    BigDecimal maxCredits;

    @Option(names = "--column", paramLabel = "HEADER=FIELD", description = "Map a CSV column to a contact field.")
    List<String> columns = new ArrayList<>();

    @Option(names = "--ignore-unknown-columns", description = "Carry unknown columns through instead of refusing.")
    boolean ignoreUnknown;

    @Option(names = "--skip-invalid", description = "Submit the valid rows and report the invalid ones.")
    boolean skipInvalid;

    @Option(names = "--batch-size", paramLabel = "N", description = "Contacts per submit, 1-250 (default 250).")
    int batchSize = MAX_BATCH;

    @Option(
            names = "--run-label",
            paramLabel = "TEXT",
            description = "Mixed into the idempotency keys: a new label enriches the same file again.")
    String runLabel = "";

    @Option(
            names = "--progress",
            paramLabel = "MODE",
            description = "auto (default: bar on a terminal), bar, plain or none.")
    String progressMode = "auto";

    @Option(names = "--streams", paramLabel = "N", description = "Progress streams followed at once (default 4).")
    int streams = 4;

    /** Test hook: stop as an interrupted run would, after submitting this many batches. */
    @Option(names = "--stop-after-batches", hidden = true)
    Integer stopAfterBatches;

    @Override
    int execute() {
        // Ctrl-C ends the JVM with 130; this says how to go on. Removed once the run has finished either way.
        Thread hook = new Thread(() -> ctx.err.println(
                "\ncascade: interrupted; run the same command again to resume (submitted batches are not charged"
                        + " again)"));
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return enrich();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: the JVM is going down.
            }
        }
    }

    private int enrich() {
        if (!TYPES.contains(type)) {
            throw new Exit.Failure(Exit.USAGE, "--type must be one of " + String.join(", ", TYPES));
        }
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new Exit.Failure(Exit.USAGE, "--batch-size must be from 1 to " + MAX_BATCH);
        }
        if (streams < 1 || streams > 10) {
            throw new Exit.Failure(Exit.USAGE, "--streams must be from 1 to 10");
        }
        String fmt = format(format, out);
        Path target = out != null ? out : defaultOut(file, fmt);
        JsonNode waterfallSpec = Waterfalls.parse(waterfall);
        PrintStream info = ctx.json ? ctx.err : ctx.out;

        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Exit.Failure(Exit.BAD_INPUT, "no such file: " + file);
        } catch (IOException e) {
            throw new Exit.Failure(
                    Exit.BAD_INPUT, "cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        ContactFile contacts =
                ContactFile.read(bytes, ContactFile.explicitColumns(columns), type.equals("prospecting_only"));
        report(contacts, info);
        if (contacts.rows.isEmpty()) {
            throw new Exit.Failure(Exit.BAD_INPUT, file + ": no contact to enrich");
        }

        List<List<ContactFile.Row>> chunks = new ArrayList<>();
        for (int i = 0; i < contacts.rows.size(); i += batchSize) {
            chunks.add(contacts.rows.subList(i, Math.min(contacts.rows.size(), i + batchSize)));
        }
        info.println("read " + contacts.rows.size() + " contacts from " + file + ": " + chunks.size() + " batch"
                + (chunks.size() == 1 ? "" : "es") + " of up to " + batchSize);

        Api api = api();
        List<ResultWriter.Batch> batches = new ArrayList<>();
        ArrayNode batchJson = Api.JSON.createArrayNode();
        for (int b = 0; b < chunks.size(); b++) {
            List<ContactFile.Row> rows = chunks.get(b);
            byte[] body = body(rows, share(rows.size(), contacts.rows.size()), waterfallSpec);
            String key = idempotencyKey(b, body);
            Api.Answer answer = api.submit("api/v1/public/enrich/bulk", body, key);
            if (answer.status() != 200) {
                throw refused(api, answer, rows, b, batches);
            }
            JsonNode started = answer.json();
            String workflowId = started.path("workflow_id").asText();
            List<String> taskIds = WorkflowCommands.strings(started.path("task_ids"));
            boolean replayed = answer.replayed().map("true"::equalsIgnoreCase).orElse(false);
            batches.add(new ResultWriter.Batch(workflowId, rows, taskIds));
            batchJson
                    .addObject()
                    .put("batch", b + 1)
                    .put("workflow_id", workflowId)
                    .put("contacts", rows.size())
                    .put("replayed", replayed);
            info.println("batch " + (b + 1) + "/" + chunks.size() + ": " + workflowId + " (" + rows.size() + " contacts"
                    + (replayed ? ", already submitted: resumed" : "") + ")");
            if (stopAfterBatches != null && b + 1 >= stopAfterBatches && b + 1 < chunks.size()) {
                throw new Exit.Failure(
                        Exit.INTERRUPTED,
                        "interrupted after batch " + (b + 1) + " of " + chunks.size()
                                + "; run the same command again to resume");
            }
        }

        Progress progress = new Progress(mode(), info);
        follow(api, progress, batches);

        int written = fmt.equals("ndjson")
                ? ResultWriter.ndjson(api, contacts.header, batches, target)
                : ResultWriter.csv(api, contacts.header, batches, target);

        int exit = Exit.OK;
        int completed = 0;
        int failed = 0;
        int emails = 0;
        int phones = 0;
        double credits = 0;
        for (int b = 0; b < batches.size(); b++) {
            JsonNode w = api.get(StreamFollower.statusPath(batches.get(b).workflowId()))
                    .path("workflow");
            String status = w.path("status").asText();
            ((ObjectNode) batchJson.get(b)).put("status", status).set("credits_charged", w.path("credits_charged"));
            completed += w.path("completed_prospects").asInt();
            failed += w.path("failed_prospects").asInt();
            emails += w.path("emails_found").asInt();
            phones += w.path("phones_found").asInt();
            credits += w.path("credits_charged").asDouble();
            exit = Math.max(exit, WorkflowCommands.exitFor(status));
        }
        if (ctx.json) {
            ObjectNode summary = Api.JSON.createObjectNode();
            summary.put("file", file.toString());
            summary.put("output", target.toString());
            summary.put("format", fmt);
            summary.put("contacts", contacts.rows.size());
            summary.put("completed", completed);
            summary.put("failed", failed);
            summary.put("emails_found", emails);
            summary.put("phones_found", phones);
            summary.put("credits_charged", credits);
            summary.put("rows_written", written);
            summary.set("batches", batchJson);
            ArrayNode invalid = summary.putArray("invalid_rows");
            contacts.invalid.forEach(
                    p -> invalid.addObject().put("line", p.line()).put("message", p.message()));
            ArrayNode unknown = summary.putArray("unknown_columns");
            contacts.unknownColumns.forEach(unknown::add);
            printJson(summary);
        } else {
            ctx.out.println("wrote " + written + " rows to " + target);
            ctx.out.println(contacts.rows.size() + " contacts: " + completed + " completed, " + failed + " failed, "
                    + emails + " emails, " + phones + " phones, " + Progress.credits(credits) + " credits");
            if (exit == Exit.PARTIAL) {
                ctx.out.println("some tasks failed: see the status and error columns of " + target);
            }
        }
        return exit;
    }

    /** Unknown columns and invalid rows: an error (exit 3) unless the run was told to go on. */
    private void report(ContactFile contacts, PrintStream info) {
        List<String> problems = new ArrayList<>();
        if (!contacts.unknownColumns.isEmpty()) {
            String names = "unknown column" + (contacts.unknownColumns.size() == 1 ? "" : "s") + ": "
                    + String.join(", ", contacts.unknownColumns) + " (known: " + String.join(", ", ContactFile.FIELDS)
                    + "; map one with --column HEADER=FIELD)";
            if (ignoreUnknown) {
                info.println("note: " + names + "; carried through to the output unchanged");
            } else {
                problems.add(names + ", or pass --ignore-unknown-columns to carry them through");
            }
        }
        if (!contacts.invalid.isEmpty()) {
            List<String> lines = new ArrayList<>();
            int shown = 0;
            for (ContactFile.Problem p : contacts.invalid) {
                if (shown++ < 50) {
                    lines.add("  " + p);
                }
            }
            if (contacts.invalid.size() > 50) {
                lines.add("  ... and " + (contacts.invalid.size() - 50) + " more");
            }
            String head = contacts.invalid.size() + " invalid row" + (contacts.invalid.size() == 1 ? "" : "s");
            if (skipInvalid) {
                info.println("skipping " + head + ":\n" + String.join("\n", lines));
            } else {
                problems.add(
                        head + " (fix them, or pass --skip-invalid to submit the rest):\n" + String.join("\n", lines));
            }
        }
        if (!problems.isEmpty()) {
            throw new Exit.Failure(Exit.BAD_INPUT, file + ": " + String.join("\n", problems));
        }
    }

    /** A refused submit: a 422 names the rows by their lines; batches already submitted are kept by the rerun. */
    private Exit.Failure refused(
            Api api, Api.Answer answer, List<ContactFile.Row> rows, int b, List<ResultWriter.Batch> done) {
        Exit.Failure failure = api.failure(answer);
        String context = "batch " + (b + 1) + " refused";
        if (!done.isEmpty()) {
            context += " (batches 1-" + b + " were submitted; a rerun resumes them)";
        }
        if (answer.status() == 422) {
            List<String> lines = new ArrayList<>();
            for (JsonNode problem : answer.json().path("detail")) {
                JsonNode loc = problem.path("loc");
                if (loc.size() >= 3
                        && loc.get(1).asText().equals("contacts")
                        && loc.get(2).canConvertToInt()) {
                    int index = loc.get(2).asInt();
                    String where = index >= 0 && index < rows.size()
                            ? "line " + rows.get(index).line()
                            : "row " + index;
                    String field = loc.size() > 3 ? loc.get(3).asText() + ": " : "";
                    lines.add("  " + where + ": " + field + problem.path("msg").asText());
                } else {
                    lines.add("  " + Api.detail("{\"detail\":[" + problem + "]}"));
                }
            }
            if (!lines.isEmpty()) {
                return new Exit.Failure(
                        Exit.BAD_INPUT,
                        context + ": the gateway refused these rows:\n" + String.join("\n", lines),
                        422);
            }
        }
        return new Exit.Failure(failure.code(), context + ": " + failure.getMessage(), failure.httpStatus());
    }

    private byte[] body(List<ContactFile.Row> rows, BigDecimal cap, JsonNode waterfallSpec) {
        ObjectNode body = Api.JSON.createObjectNode();
        body.put("enrichment_type", type);
        if (webhook != null) {
            body.put("webhook_url", webhook);
        }
        if (waterfallSpec != null) {
            body.set("waterfall", waterfallSpec);
        }
        if (cap != null) {
            body.put("max_credits", cap);
        }
        ArrayNode list = body.putArray("contacts");
        for (ContactFile.Row row : rows) {
            ObjectNode contact = list.addObject();
            row.contact().forEach(contact::put);
        }
        try {
            return Api.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new Exit.Failure(Exit.INTERNAL, "a request body cannot be written");
        }
    }

    /** A batch's share of `--max-credits`, by its size, rounded down to cents: the run never charges more. */
    private BigDecimal share(int size, int total) {
        if (maxCredits == null) {
            return null;
        }
        return maxCredits.multiply(BigDecimal.valueOf(size)).divide(BigDecimal.valueOf(total), 2, RoundingMode.DOWN);
    }

    /**
     * The batch's `Idempotency-Key`: its index and the exact body it sends (the file's rows and every option) hashed,
     * so the same command on the same file gives the same keys and a changed batch a new one.
     */
    String idempotencyKey(int batch, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(("cascade-cli\n" + runLabel + "\n" + batch + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(body);
            return "cascade-cli-" + HexFormat.of().formatHex(sha.digest()).substring(0, 48) + "-" + (batch + 1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Progress.Mode mode() {
        return switch (progressMode.toLowerCase(Locale.ROOT)) {
            case "bar" -> Progress.Mode.BAR;
            case "plain" -> Progress.Mode.PLAIN;
            case "none" -> Progress.Mode.NONE;
            case "auto" -> ctx.terminal && !ctx.json ? Progress.Mode.BAR : Progress.Mode.PLAIN;
            default -> throw new Exit.Failure(Exit.USAGE, "--progress must be auto, bar, plain or none");
        };
    }

    /** Follows every workflow's stream (a few at once) while a ticker draws the progress and refreshes credits. */
    private void follow(Api api, Progress progress, List<ResultWriter.Batch> batches) {
        batches.forEach(b -> progress.add(b.workflowId(), b.rows().size()));
        // The first frame at once, before any event: the bar shows up as soon as the batches are in.
        progress.render();
        StreamFollower follower = new StreamFollower(api, progress);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(streams, batches.size()), daemon("stream"));
        List<Future<?>> running = new ArrayList<>();
        for (ResultWriter.Batch b : batches) {
            running.add(pool.submit(() -> follower.follow(b.workflowId())));
        }
        Thread ticker = daemon("progress").newThread(() -> tick(api, progress));
        ticker.start();
        try {
            for (Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Exit.Failure(Exit.INTERRUPTED, "interrupted; run the same command again to resume");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exit.Failure failure) {
                throw failure;
            }
            throw new Exit.Failure(Exit.API, "following the progress failed: " + e.getCause());
        } finally {
            ticker.interrupt();
            pool.shutdownNow();
            try {
                ticker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        progress.finish();
    }

    /** Redraws about 5 times a second; every 3 s asks one running workflow for its credits so far. */
    private static void tick(Api api, Progress progress) {
        int turn = 0;
        long nextCredits = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            progress.render();
            if (System.nanoTime() >= nextCredits) {
                nextCredits = System.nanoTime() + 3_000_000_000L;
                String id = progress.running(turn++);
                if (id != null) {
                    try {
                        progress.workflow(
                                id, api.get(StreamFollower.statusPath(id)).path("workflow"));
                    } catch (Exit.Failure e) {
                        // Only the credits shown lag; the streams carry the rest.
                    }
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, "cascade-" + name);
            t.setDaemon(true);
            return t;
        };
    }

    static String format(String format, Path out) {
        if (format != null) {
            String f = format.toLowerCase(Locale.ROOT);
            if (!f.equals("csv") && !f.equals("ndjson")) {
                throw new Exit.Failure(Exit.USAGE, "--format must be csv or ndjson");
            }
            return f;
        }
        String name = out == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".ndjson") || name.endsWith(".jsonl") ? "ndjson" : "csv";
    }

    static Path defaultOut(Path in, String format) {
        String name = in.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
        return in.resolveSibling(stem + "-results." + format);
    }
}

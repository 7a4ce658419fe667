package dev.cascade.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Joins the export rows (§4.7) of a run's workflows back to the input rows they came from (by the task ids of each
 * submit answer, `task_ids[i]` for `contacts[i]`) and writes them: CSV (the input's columns, `workflow_id`, then the
 * export's columns; one whose name the input already has, compared lower-case with runs of other characters
 * read as `_`, gets a `result_` prefix) or NDJSON (`line`, `input`, `workflow_id`,
 * `result`). A prospecting task gives one output row per prospect. The file is written beside the target and moved
 * into place, so an interrupted run never leaves half a file.
 */
final class ResultWriter {
    /** One submitted batch: its rows (in order) and the task id of each. */
    record Batch(String workflowId, List<ContactFile.Row> rows, List<String> taskIds) {}

    private ResultWriter() {}

    /** Writes the CSV output; answers the number of data rows written. */
    static int csv(Api api, List<String> inputHeader, List<Batch> batches, Path out) {
        List<String> exportHeader = null;
        List<List<String>> lines = new ArrayList<>();
        for (Batch batch : batches) {
            List<Csv.Record> records = Csv.parse(api.getText(export(batch.workflowId(), "csv")));
            if (records.isEmpty()) {
                throw new Exit.Failure(Exit.API, "the export of " + batch.workflowId() + " has no header");
            }
            exportHeader = records.get(0).fields();
            int taskColumn = exportHeader.indexOf("task_id");
            Map<String, List<List<String>>> byTask = new HashMap<>();
            for (Csv.Record r : records.subList(1, records.size())) {
                if (!r.blank() && taskColumn >= 0 && taskColumn < r.fields().size()) {
                    byTask.computeIfAbsent(r.fields().get(taskColumn), k -> new ArrayList<>())
                            .add(r.fields());
                }
            }
            for (int i = 0; i < batch.rows().size(); i++) {
                String task = batch.taskIds().get(i);
                List<List<String>> results = byTask.getOrDefault(task, List.of());
                if (results.isEmpty()) {
                    List<String> empty = new ArrayList<>();
                    for (String column : exportHeader) {
                        empty.add(column.equals("task_id") ? task : "");
                    }
                    results = List.of(empty);
                }
                for (List<String> result : results) {
                    List<String> line =
                            new ArrayList<>(padded(batch.rows().get(i).cells(), inputHeader.size()));
                    line.add(batch.workflowId());
                    line.addAll(padded(result, exportHeader.size()));
                    lines.add(line);
                }
            }
        }
        List<String> header = new ArrayList<>(inputHeader);
        Set<String> taken = new HashSet<>();
        inputHeader.forEach(h -> taken.add(ContactFile.normalise(h)));
        List<String> appended = new ArrayList<>();
        appended.add("workflow_id");
        if (exportHeader != null) {
            appended.addAll(exportHeader);
        }
        for (String name : appended) {
            header.add(taken.contains(ContactFile.normalise(name)) ? "result_" + name : name);
        }
        write(out, w -> {
            w.write(Csv.row(header));
            for (List<String> line : lines) {
                w.write(Csv.row(line));
            }
        });
        return lines.size();
    }

    /** Writes the NDJSON output; answers the number of lines written. */
    static int ndjson(Api api, List<String> inputHeader, List<Batch> batches, Path out) {
        List<String> lines = new ArrayList<>();
        for (Batch batch : batches) {
            Map<String, List<JsonNode>> byTask = new HashMap<>();
            for (String line : api.getText(export(batch.workflowId(), "ndjson")).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode item = Api.JSON.readTree(line);
                    byTask.computeIfAbsent(item.path("task_id").asText(), k -> new ArrayList<>())
                            .add(item);
                } catch (IOException e) {
                    throw new Exit.Failure(Exit.API, "the export of " + batch.workflowId() + " is not NDJSON");
                }
            }
            for (int i = 0; i < batch.rows().size(); i++) {
                ContactFile.Row row = batch.rows().get(i);
                String task = batch.taskIds().get(i);
                List<JsonNode> results = byTask.getOrDefault(task, List.of());
                if (results.isEmpty()) {
                    results = List.of(Api.JSON.createObjectNode().put("task_id", task));
                }
                for (JsonNode result : results) {
                    ObjectNode line = Api.JSON.createObjectNode();
                    line.put("line", row.line());
                    ObjectNode input = line.putObject("input");
                    for (int c = 0; c < inputHeader.size(); c++) {
                        input.put(
                                inputHeader.get(c),
                                c < row.cells().size() ? row.cells().get(c) : "");
                    }
                    line.put("workflow_id", batch.workflowId());
                    line.set("result", result);
                    lines.add(line.toString());
                }
            }
        }
        write(out, w -> {
            for (String line : lines) {
                w.write(line);
                w.write('\n');
            }
        });
        return lines.size();
    }

    private static String export(String workflowId, String format) {
        return "api/v1/public/enrich/results?workflow_id=" + Api.q(workflowId) + "&format=" + format;
    }

    private static List<String> padded(List<String> cells, int size) {
        List<String> out = new ArrayList<>(cells.subList(0, Math.min(size, cells.size())));
        while (out.size() < size) {
            out.add("");
        }
        return out;
    }

    private interface Body {
        void write(Writer w) throws IOException;
    }

    private static void write(Path out, Body body) {
        Path target = out.toAbsolutePath();
        Path temp = target.resolveSibling("." + target.getFileName() + ".part");
        try {
            try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                body.write(w);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new Exit.Failure(
                    Exit.BAD_INPUT, "cannot write " + out + ": " + e.getClass().getSimpleName());
        }
    }
}

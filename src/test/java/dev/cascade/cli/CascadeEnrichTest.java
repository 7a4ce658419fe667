package dev.cascade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Ledger;

/** `cascade enrich` end to end against the in-process gateway: batches, the join, resuming, progress lines. */
@QuarkusTest
class CascadeEnrichTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BATCH_LINE = Pattern.compile("batch (\\d)/3: (public_bulk_[0-9a-f-]+)");

    @TempDir
    Path dir;

    @Test
    void sixHundredContactsGoThroughThreeBatchesAndComeBackJoinedToTheirRows() throws IOException {
        Tenant tenant = Gateway.newTenant("cli-600-" + UUID.randomUUID());
        Path in = Cli.people(dir, "contacts.csv", 600);
        Path out = dir.resolve("results.csv");

        Cli.Run run = Cli.run(
                Cli.env(tenant.key()),
                "enrich",
                in.toString(),
                "--type",
                "full",
                "--out",
                out.toString(),
                "--ignore-unknown-columns");

        assertThat(run.code()).as(run.all()).isZero();
        assertThat(run.out())
                .contains("read 600 contacts")
                .contains("batch 1/3")
                .contains("batch 3/3")
                .contains("progress: 600/600 contacts settled (100%)")
                .contains("wrote 600 rows to " + out);
        assertThat(run.all()).doesNotContain(tenant.key());
        Map<Integer, String> workflows = workflows(run.out());
        assertThat(new HashSet<>(workflows.values())).hasSize(3);
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?::uuid", tenant.orgId()))
                .isEqualTo(3);
        assertThat(Gateway.count("SELECT total_prospects FROM workflows WHERE id = ?", workflows.get(3)))
                .isEqualTo(100);

        List<Csv.Record> rows = Csv.parse(Files.readString(out, StandardCharsets.UTF_8));
        List<String> header = rows.get(0).fields();
        assertThat(header)
                .startsWith("First Name", "Last Name", "Company Domain", "crm_id", "workflow_id", "task_id", "status")
                .contains("primary_email", "personal_phone_numbers", "result_company_domain");
        assertThat(rows).hasSize(601);
        Map<String, String> workflowOfTask = new HashMap<>();
        for (String workflow : workflows.values()) {
            for (Object task : tenant.results(workflow).getList("workflow.results.task_id")) {
                workflowOfTask.put((String) task, workflow);
            }
        }
        int emails = 0;
        for (int i = 1; i <= 600; i++) {
            Map<String, String> row = row(header, rows.get(i).fields());
            int n = i - 1;
            // Input order kept, every input cell carried through, each row next to its own task's result.
            assertThat(row.get("crm_id")).isEqualTo("crm-" + n);
            assertThat(row.get("First Name")).isEqualTo("First" + n);
            assertThat(row.get("workflow_id")).isEqualTo(workflows.get(n / 250 + 1));
            assertThat(workflowOfTask.get(row.get("task_id"))).isEqualTo(row.get("workflow_id"));
            assertThat(row.get("result_company_domain")).isEqualTo("company" + n + ".com");
            assertThat(row.get("status")).isIn("completed", "failed");
            if (!row.get("primary_email").isEmpty()) {
                emails++;
            }
        }
        int found = 0;
        for (String workflow : workflows.values()) {
            found += tenant.awaitTerminal(workflow, java.time.Duration.ofSeconds(5))
                    .getInt("workflow.emails_found");
        }
        assertThat(emails).isEqualTo(found);
        Ledger.assertExplainsBalance(tenant);
    }

    @Test
    void anInterruptedRunResumesWithTheSameWorkflowsAndNoSecondCharge() throws IOException {
        Tenant tenant = Gateway.newTenant("cli-resume-" + UUID.randomUUID());
        Path in = Cli.people(dir, "contacts.csv", 600);
        Path out = dir.resolve("results.ndjson");
        String[] args = {
            "enrich", in.toString(), "--type", "partial", "--out", out.toString(), "--ignore-unknown-columns"
        };

        // The first run stops after its first batch, as a Ctrl-C or a crash would.
        String[] interrupted = java.util.Arrays.copyOf(args, args.length + 2);
        interrupted[args.length] = "--stop-after-batches";
        interrupted[args.length + 1] = "1";
        Cli.Run first = Cli.run(Cli.env(tenant.key()), interrupted);
        assertThat(first.code()).as(first.all()).isEqualTo(Exit.INTERRUPTED);
        assertThat(first.err()).contains("interrupted after batch 1 of 3; run the same command again to resume");
        assertThat(out).doesNotExist();
        String firstWorkflow = workflows(first.out()).get(1);
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?::uuid", tenant.orgId()))
                .isEqualTo(1);

        Cli.Run second = Cli.run(Cli.env(tenant.key()), args);
        assertThat(second.code()).as(second.all()).isZero();
        Map<Integer, String> workflows = workflows(second.out());
        assertThat(workflows.get(1)).isEqualTo(firstWorkflow);
        assertThat(second.out())
                .contains("batch 1/3: " + firstWorkflow + " (250 contacts, already submitted: resumed)");
        assertThat(second.out()).doesNotContain("batch 2/3: " + workflows.get(2) + " (250 contacts, already");

        // Three workflows in all, each held once and each task charged at most once.
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?::uuid", tenant.orgId()))
                .isEqualTo(3);
        List<Ledger.Entry> ledger = Ledger.entries(tenant.orgId());
        Map<String, Integer> holds = new HashMap<>();
        Set<String> charged = new HashSet<>();
        for (Ledger.Entry e : ledger) {
            if (e.kind().equals("hold")) {
                holds.merge(e.workflowId(), 1, Integer::sum);
            }
            if (e.kind().equals("charge")) {
                assertThat(charged.add(e.taskId()))
                        .as("task %s charged twice", e.taskId())
                        .isTrue();
            }
        }
        assertThat(holds)
                .containsOnlyKeys(workflows.values())
                .allSatisfy((w, n) -> assertThat(n).isEqualTo(1));
        Ledger.assertExplainsBalance(tenant);

        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(600);
        JsonNode line = JSON.readTree(lines.get(260));
        assertThat(line.path("line").asInt()).isEqualTo(262);
        assertThat(line.path("input").path("crm_id").asText()).isEqualTo("crm-260");
        assertThat(line.path("workflow_id").asText()).isEqualTo(workflows.get(2));
        assertThat(line.path("result").path("task_id").asText()).isNotEmpty();

        // A third run of the same command changes nothing either.
        Cli.Run third = Cli.run(Cli.env(tenant.key()), args);
        assertThat(third.code()).isZero();
        assertThat(workflows(third.out())).isEqualTo(workflows);
        assertThat(Ledger.entries(tenant.orgId())).hasSameSizeAs(ledger);
    }

    @Test
    void aKilledProcessResumesWithoutASecondWorkflowOrHold() throws Exception {
        Tenant tenant = Gateway.newTenant("cli-kill-" + UUID.randomUUID());
        Path in = Cli.people(dir, "contacts.csv", 600);
        Path out = dir.resolve("results.csv");
        List<String> args = List.of(
                "enrich",
                in.toString(),
                "--type",
                "partial",
                "--out",
                out.toString(),
                "--ignore-unknown-columns",
                "--batch-size",
                "50");

        // The launcher as a separate process, stopped by a signal once its second batch is in (it may be
        // in the middle of submitting the third: the rerun must cope with that too).
        List<String> command = new ArrayList<>();
        command.add(Path.of("scripts/cascade").toAbsolutePath().toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("CASCADE_URL", Cli.url());
        builder.environment().put("CASCADE_API_KEY", tenant.key());
        builder.environment().put("CASCADE_CLI_JAR", dir.resolve("no-such.jar").toString());
        builder.environment().put("CASCADE_CLI_CLASSPATH", Cli.classPath());
        builder.environment().put("HOME", dir.toString());
        builder.redirectErrorStream(true);
        Process process = builder.start();
        StringBuilder seen = new StringBuilder();
        try (var reader = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.startsWith("batch 2/12: ")) {
                    process.destroy();
                    break;
                }
            }
        }
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(seen.toString()).isNotZero();
        assertThat(out).doesNotExist();
        Matcher before =
                Pattern.compile("batch (\\d+)/12: (public_bulk_[0-9a-f-]+)").matcher(seen);
        Map<Integer, String> killed = new HashMap<>();
        while (before.find()) {
            killed.put(Integer.parseInt(before.group(1)), before.group(2));
        }
        assertThat(killed).containsKeys(1, 2);

        Cli.Run rerun = Cli.run(Cli.env(tenant.key()), args.toArray(String[]::new));
        assertThat(rerun.code()).as(rerun.all()).isZero();
        Matcher after =
                Pattern.compile("batch (\\d+)/12: (public_bulk_[0-9a-f-]+)").matcher(rerun.out());
        Map<Integer, String> resumed = new HashMap<>();
        while (after.find()) {
            resumed.put(Integer.parseInt(after.group(1)), after.group(2));
        }
        assertThat(resumed).hasSize(12).containsAllEntriesOf(killed);
        assertThat(rerun.out()).contains("batch 1/12: " + killed.get(1) + " (50 contacts, already submitted: resumed)");

        // However far the killed process got, each batch is one workflow with one hold.
        long workflows = Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?::uuid", tenant.orgId());
        assertThat(workflows).isEqualTo(12);
        Map<String, Integer> holds = new HashMap<>();
        for (Ledger.Entry e : Ledger.entries(tenant.orgId())) {
            if (e.kind().equals("hold")) {
                holds.merge(e.workflowId(), 1, Integer::sum);
            }
        }
        assertThat(holds)
                .containsOnlyKeys(resumed.values())
                .allSatisfy((w, n) -> assertThat(n).isEqualTo(1));
        Ledger.assertExplainsBalance(tenant);
        assertThat(Files.readAllLines(out, StandardCharsets.UTF_8)).hasSize(601);
    }

    @Test
    void theJsonSummaryNamesEveryBatchAndKeepsStdoutMachineReadable() throws IOException {
        Tenant tenant = Gateway.newTenant("cli-json-" + UUID.randomUUID());
        Path in = Cli.write(
                dir.resolve("people.csv"),
                "linkedin_url,company\nhttps://www.linkedin.com/in/jane-doe,Acme\n,Acme\n"
                        + "https://www.linkedin.com/in/john-roe,Initech\n");

        Cli.Run run = Cli.run(
                Cli.env(tenant.key()),
                "enrich",
                in.toString(),
                "--json",
                "--skip-invalid",
                "--max-credits",
                "5",
                "--batch-size",
                "1");

        assertThat(run.code()).as(run.all()).isZero();
        JsonNode summary = JSON.readTree(run.out());
        assertThat(summary.path("contacts").asInt()).isEqualTo(2);
        assertThat(summary.path("batches")).hasSize(2);
        assertThat(summary.path("invalid_rows").get(0).path("line").asInt()).isEqualTo(3);
        assertThat(summary.path("rows_written").asInt()).isEqualTo(2);
        assertThat(run.err()).contains("skipping 1 invalid row").contains("line 3: needs linkedin_url");
        assertThat(in.resolveSibling("people-results.csv")).exists();
        String workflow = summary.path("batches").get(0).path("workflow_id").asText();
        assertThat(tenant.workflow(workflow).getString("workflow.status")).isEqualTo("completed");
    }

    static Map<Integer, String> workflows(String out) {
        Map<Integer, String> ids = new HashMap<>();
        Matcher m = BATCH_LINE.matcher(out);
        while (m.find()) {
            ids.put(Integer.parseInt(m.group(1)), m.group(2));
        }
        return ids;
    }

    static Map<String, String> row(List<String> header, List<String> cells) {
        Map<String, String> row = new HashMap<>();
        for (int i = 0; i < header.size(); i++) {
            row.put(header.get(i), i < cells.size() ? cells.get(i) : "");
        }
        return row;
    }

    static List<String> lines(String text) {
        return new ArrayList<>(List.of(text.split("\n")));
    }
}

package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** `GET /enrich/results` (§4.7): every row the status endpoint shows, streamed as NDJSON or CSV. */
@QuarkusTest
class ResultExportTest {
    private static final String EXPORT = "/api/v1/public/enrich/results";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COLUMNS = List.of(
            "task_id",
            "status",
            "primary_email",
            "primary_email_status",
            "other_emails",
            "personal_phone_numbers",
            "phone_line_types",
            "phone_sources",
            "prospect_first_name",
            "prospect_last_name",
            "prospect_full_name",
            "prospect_title",
            "prospect_linkedin_url",
            "prospect_location",
            "company_name",
            "company_domain",
            "company_industry",
            "company_employee_count",
            "source_email",
            "source_phone",
            "source_prospect",
            "skipped_reason",
            "error",
            "custom");

    @ParameterizedTest
    @ValueSource(strings = {"partial", "full", "prospecting_only"})
    void bothFormatsCarryExactlyTheStatusEndpointsResults(String type) throws Exception {
        Tenant tenant = Gateway.newTenant("export-" + type + "-" + UUID.randomUUID());
        List<Map<String, Object>> contacts = new ArrayList<>();
        // Prospecting: 60 companies, more than one page of tasks, each expanding into several rows.
        int count = type.equals("prospecting_only") ? 60 : 12;
        for (int i = 0; i < count; i++) {
            contacts.add(
                    type.equals("prospecting_only")
                            ? Map.of("company_domain", "company" + i + ".com")
                            : Gateway.person(i));
        }
        String workflowId = tenant.submit(Map.of(
                "enrichment_type", type, "contacts", contacts, "custom", Map.of("batch", "b-7", "owner", "ops")));
        tenant.awaitTerminal(workflowId, Duration.ofSeconds(60));
        List<JsonNode> expected = statusResults(tenant, workflowId);
        if (type.equals("prospecting_only")) {
            assertThat(expected.size()).isGreaterThan(count);
            assertThat(expected)
                    .allSatisfy(item -> assertThat(item.has("prospect")).isTrue());
        }
        if (type.equals("full")) {
            assertThat(expected)
                    .anySatisfy(item ->
                            assertThat(item.path("personal_phone_numbers")).isNotEmpty());
        }

        Response ndjson = export(tenant, workflowId, "ndjson");
        assertThat(ndjson.contentType()).isEqualTo("application/x-ndjson");
        assertThat(ndjsonItems(ndjson.asString())).isEqualTo(expected);

        Response csv = export(tenant, workflowId, "csv");
        assertThat(csv.contentType()).isEqualTo("text/csv; charset=utf-8");
        assertThat(csv.headers().getValues("Content-Type")).hasSize(1);
        assertThat(csv.header("Content-Disposition")).isEqualTo("attachment; filename=\"" + workflowId + ".csv\"");
        assertCsvMatches(csv.asString(), expected);
    }

    @Test
    void a250ContactWorkflowExportsAll250RowsInInputOrderAsAStream() throws Exception {
        Tenant tenant = Gateway.newTenant("export-250-" + UUID.randomUUID());
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            contacts.add(Gateway.person(i));
        }
        var submitted = tenant.submitForBody(Map.of("enrichment_type", "partial", "contacts", contacts));
        String workflowId = submitted.getString("workflow_id");
        List<String> taskIds = submitted.getList("task_ids", String.class);
        tenant.awaitTerminal(workflowId, Duration.ofSeconds(90));
        List<JsonNode> expected = statusResults(tenant, workflowId);

        Response ndjson = export(tenant, workflowId, "ndjson");
        // Chunked, not buffered into one sized body; rate-limit headers still come along.
        assertThat(ndjson.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(ndjson.header("Content-Length")).isNull();
        assertThat(ndjson.header("RateLimit-Limit")).isNotBlank();
        List<JsonNode> rows = ndjsonItems(ndjson.asString());
        assertThat(rows).hasSize(250).isEqualTo(expected);
        assertThat(rows.stream().map(r -> r.path("task_id").asText()).toList()).isEqualTo(taskIds);

        List<List<String>> csv = parseCsv(export(tenant, workflowId, "csv").asString());
        assertThat(csv).hasSize(251);
        assertCsvMatches(csv, expected);
    }

    @Test
    void aRunningWorkflowExportsWhatExistsWithUnsettledTasksAsIdAndStatus() throws Exception {
        Tenant tenant = Gateway.newTenant("export-running-" + UUID.randomUUID());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        UUID done = UUID.randomUUID();
        UUID running = UUID.randomUUID();
        UUID pending = UUID.randomUUID();
        ObjectNode settled = JSON.createObjectNode()
                .put("task_id", done.toString())
                .put("status", "completed")
                .put("primary_email", "bo.ek@acme.com")
                .put("primary_email_status", "reliable");
        settled.putArray("other_emails");
        settled.putArray("personal_phone_numbers");
        settled.putArray("phones");
        try (Connection conn = Db.connect()) {
            SeededWorkflow seeded = SeededWorkflow.insert(conn, tenant, workflowId, "running", 3);
            seeded.task(conn, done, 0, "completed", settled);
            seeded.task(conn, running, 1, "running", null);
            seeded.task(conn, pending, 2, "pending", null);
        }
        List<JsonNode> expected = statusResults(tenant, workflowId);

        List<JsonNode> rows = ndjsonItems(export(tenant, workflowId, "ndjson").asString());
        assertThat(rows).isEqualTo(expected).hasSize(3);
        assertThat(rows.get(0)).isEqualTo(settled);
        assertThat(rows.get(1))
                .isEqualTo(JSON.createObjectNode()
                        .put("task_id", running.toString())
                        .put("status", "running"));
        assertThat(rows.get(2))
                .isEqualTo(JSON.createObjectNode()
                        .put("task_id", pending.toString())
                        .put("status", "pending"));

        List<List<String>> csv = parseCsv(export(tenant, workflowId, "csv").asString());
        assertCsvMatches(csv, expected);
        assertThat(csv.get(3).subList(2, COLUMNS.size()))
                .allSatisfy(cell -> assertThat(cell).isEmpty());
    }

    @Test
    void hostileValuesSurviveACsvRoundTripWithFormulasNeutralised() throws Exception {
        Tenant tenant = Gateway.newTenant("export-hostile-" + UUID.randomUUID());
        String workflowId = "public_bulk_" + UUID.randomUUID();
        UUID taskId = UUID.randomUUID();
        // What a vendor might send back: quotes, commas, line breaks, formulas, a leading tab.
        ObjectNode item = JSON.createObjectNode()
                .put("task_id", taskId.toString())
                .put("status", "completed")
                .put("primary_email", "=cmd|' /C calc'!A0@evil.com")
                .put("primary_email_status", "risky");
        item.putArray("other_emails").add("+x@evil.com").add("a,b@evil.com");
        item.putArray("personal_phone_numbers").add("+14155551234").add("+442071234567");
        item.putArray("phones")
                .add(JSON.createObjectNode()
                        .put("number", "+14155551234")
                        .put("line_type", "mobile")
                        .put("source", "pdl"))
                .add(JSON.createObjectNode()
                        .put("number", "+442071234567")
                        .put("line_type", "landline")
                        .put("source", "apollo"));
        item.putObject("prospect")
                .put("first_name", "Jo \"The Boss\"")
                .put("last_name", "-2+3")
                .put("full_name", "@SUM(A1:A9)")
                .put("title", "Head of Sales,\nEMEA\r\nand \"more\"")
                .put("linkedin_url", "https://www.linkedin.com/in/jo")
                .put("location", "\tParis, France");
        item.putObject("company")
                .put("name", "\rAcme, \"Inc\"")
                .put("domain", "acme.com")
                .put("industry", "Überföhrung ☃")
                .put("employee_count", 42);
        item.putObject("source").put("email", "hunter").put("phone", "pdl");
        item.putObject("custom").put("note", "=HYPERLINK(\"http://evil\")").put("plain", "a,b");
        try (Connection conn = Db.connect()) {
            SeededWorkflow.insert(conn, tenant, workflowId, "completed", 1).task(conn, taskId, 0, "completed", item);
        }
        assertThat(ndjsonItems(export(tenant, workflowId, "ndjson").asString()))
                .isEqualTo(statusResults(tenant, workflowId))
                .containsExactly(item);

        List<List<String>> csv = parseCsv(export(tenant, workflowId, "csv").asString());
        assertThat(csv).hasSize(2);
        Map<String, String> row = named(csv.get(1));
        assertThat(row)
                .containsEntry("primary_email", "'=cmd|' /C calc'!A0@evil.com")
                .containsEntry("other_emails", "'+x@evil.com;a,b@evil.com")
                .containsEntry("personal_phone_numbers", "+14155551234;+442071234567")
                .containsEntry("phone_line_types", "mobile;landline")
                .containsEntry("phone_sources", "pdl;apollo")
                .containsEntry("prospect_first_name", "Jo \"The Boss\"")
                .containsEntry("prospect_last_name", "'-2+3")
                .containsEntry("prospect_full_name", "'@SUM(A1:A9)")
                .containsEntry("prospect_title", "Head of Sales,\nEMEA\r\nand \"more\"")
                .containsEntry("prospect_location", "'\tParis, France")
                .containsEntry("company_name", "'\rAcme, \"Inc\"")
                .containsEntry("company_industry", "Überföhrung ☃")
                .containsEntry("company_employee_count", "42")
                .containsEntry("source_email", "hunter")
                .containsEntry("source_phone", "pdl")
                .containsEntry("source_prospect", "");
        assertThat(JSON.readTree(row.get("custom"))).isEqualTo(item.get("custom"));
        assertCsvMatches(csv, List.of(item));
    }

    @Test
    void hostileContactNamesFromARealSubmissionExportSafely() throws Exception {
        Tenant tenant = Gateway.newTenant("export-names-" + UUID.randomUUID());
        List<Map<String, Object>> contacts = List.of(
                Map.of("first_name", "=cmd|' /C calc'!A0", "last_name", "O\"Brien, Jr.", "company_domain", "acme.com"),
                Map.of("first_name", "@SUM(1+1)", "last_name", "-Lee", "company_name", "Globex, \"Ltd\""),
                Map.of("first_name", "+Ann", "last_name", "Smith", "company_domain", "initech.com"));
        String workflowId = tenant.submit(Map.of("enrichment_type", "partial", "contacts", contacts));
        tenant.awaitTerminal(workflowId, Duration.ofSeconds(30));
        List<JsonNode> expected = statusResults(tenant, workflowId);

        assertThat(ndjsonItems(export(tenant, workflowId, "ndjson").asString())).isEqualTo(expected);
        List<List<String>> csv = parseCsv(export(tenant, workflowId, "csv").asString());
        assertCsvMatches(csv, expected);
        assertThat(named(csv.get(1)).get("prospect_first_name")).isEqualTo("'=cmd|' /C calc'!A0");
        assertThat(named(csv.get(1)).get("prospect_last_name")).isEqualTo("O\"Brien, Jr.");
        assertThat(named(csv.get(2)).get("prospect_first_name")).isEqualTo("'@SUM(1+1)");
        assertThat(named(csv.get(3)).get("prospect_first_name")).isEqualTo("'+Ann");
    }

    @Test
    void withoutFormatTheExportIsNdjsonUnlessTheClientAcceptsCsv() throws Exception {
        Tenant tenant = Gateway.newTenant("export-accept-" + UUID.randomUUID());
        String workflowId = tenant.submit(Map.of("contacts", List.of(Gateway.person(1), Gateway.person(2))));
        tenant.awaitTerminal(workflowId, Duration.ofSeconds(30));
        List<JsonNode> expected = statusResults(tenant, workflowId);

        Response plain = request(tenant).queryParam("workflow_id", workflowId).get(EXPORT);
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.contentType()).isEqualTo("application/x-ndjson");
        assertThat(ndjsonItems(plain.asString())).isEqualTo(expected);

        Response accepted = request(tenant)
                .header("Accept", "text/csv")
                .queryParam("workflow_id", workflowId)
                .get(EXPORT);
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(accepted.contentType()).isEqualTo("text/csv; charset=utf-8");
        assertCsvMatches(accepted.asString(), expected);

        // `format` wins over Accept, in any case.
        Response explicit = request(tenant)
                .header("Accept", "text/csv")
                .queryParam("workflow_id", workflowId)
                .queryParam("format", "NDJSON")
                .get(EXPORT);
        assertThat(explicit.contentType()).isEqualTo("application/x-ndjson");
    }

    @Test
    void unknownForeignAndMalformedWorkflowsAre404LikeTheStatusEndpoint() {
        Tenant owner = Gateway.newTenant("export-owner-" + UUID.randomUUID());
        Tenant stranger = Gateway.newTenant("export-stranger-" + UUID.randomUUID());
        String workflowId = owner.submit(Map.of("contacts", List.of(Gateway.person(1))));
        for (String id : List.of(workflowId, "public_bulk_" + UUID.randomUUID(), "nope", "public_bulk_x'; DROP--")) {
            for (String format : List.of("ndjson", "csv")) {
                request(stranger)
                        .queryParam("workflow_id", id)
                        .queryParam("format", format)
                        .get(EXPORT)
                        .then()
                        .statusCode(404)
                        .contentType("application/json")
                        .body("detail", equalTo("Workflow not found"));
            }
        }
        request(owner).queryParam("workflow_id", workflowId).get(EXPORT).then().statusCode(200);
        given().queryParam("workflow_id", workflowId).get(EXPORT).then().statusCode(401);
    }

    @Test
    void aMissingWorkflowIdIs400() {
        Tenant tenant = Gateway.newTenant("export-missing-" + UUID.randomUUID());
        request(tenant).get(EXPORT).then().statusCode(400).body("detail", equalTo("Provide workflow_id."));
        request(tenant)
                .queryParam("workflow_id", " ")
                .queryParam("format", "csv")
                .get(EXPORT)
                .then()
                .statusCode(400)
                .body("detail", equalTo("Provide workflow_id."));
    }

    @Test
    void anUnknownFormatIs422NamingTheQueryParameter() {
        Tenant tenant = Gateway.newTenant("export-format-" + UUID.randomUUID());
        String workflowId = tenant.submit(Map.of("contacts", List.of(Gateway.person(1))));
        for (String format : List.of("xml", "json", "csv;x")) {
            request(tenant)
                    .queryParam("workflow_id", workflowId)
                    .queryParam("format", format)
                    .get(EXPORT)
                    .then()
                    .statusCode(422)
                    .contentType("application/json")
                    .body("detail[0].type", equalTo("enum"))
                    .body("detail[0].loc", equalTo(List.of("query", "format")))
                    .body("detail[0].msg", equalTo("Input should be 'csv' or 'ndjson'"))
                    .body("detail[0].input", equalTo(format));
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static RequestSpecification request(Tenant tenant) {
        return given().auth().oauth2(tenant.key());
    }

    private static Response export(Tenant tenant, String workflowId, String format) {
        Response response = request(tenant)
                .queryParam("workflow_id", workflowId)
                .queryParam("format", format)
                .get(EXPORT);
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    /** The status endpoint's `results` with include_results=true, as raw JSON. */
    private static List<JsonNode> statusResults(Tenant tenant, String workflowId) throws Exception {
        String body = request(tenant)
                .queryParam("workflow_id", workflowId)
                .queryParam("include_results", "true")
                .get("/api/v1/public/enrich/status")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        List<JsonNode> items = new ArrayList<>();
        JSON.readTree(body).path("workflow").path("results").forEach(items::add);
        return items;
    }

    private static List<JsonNode> ndjsonItems(String body) throws Exception {
        assertThat(body).endsWith("\n");
        List<JsonNode> items = new ArrayList<>();
        for (String line : body.split("\n", -1)) {
            if (!line.isEmpty()) {
                items.add(JSON.readTree(line));
            }
        }
        assertThat(body.split("\n", -1)).hasSize(items.size() + 1);
        return items;
    }

    private static List<List<String>> parseCsv(String body) throws Exception {
        assertThat(body).endsWith("\r\n");
        CsvMapper csv = new CsvMapper();
        csv.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        try (var rows = csv.readerForListOf(String.class).<List<String>>readValues(body)) {
            return rows.readAll();
        }
    }

    private static Map<String, String> named(List<String> row) {
        assertThat(row).hasSize(COLUMNS.size());
        Map<String, String> named = new LinkedHashMap<>();
        for (int i = 0; i < COLUMNS.size(); i++) {
            named.put(COLUMNS.get(i), row.get(i));
        }
        return named;
    }

    private static void assertCsvMatches(String body, List<JsonNode> items) throws Exception {
        assertCsvMatches(parseCsv(body), items);
    }

    /** A header of the documented columns, then one row per item with the item's values. */
    private static void assertCsvMatches(List<List<String>> rows, List<JsonNode> items) throws Exception {
        assertThat(rows.get(0)).isEqualTo(COLUMNS);
        assertThat(rows).hasSize(items.size() + 1);
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            Map<String, String> row = named(rows.get(i + 1));
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("task_id", text(item.get("task_id")));
            expected.put("status", text(item.get("status")));
            expected.put("primary_email", text(item.get("primary_email")));
            expected.put("primary_email_status", text(item.get("primary_email_status")));
            expected.put("other_emails", joined(item.get("other_emails")));
            expected.put("personal_phone_numbers", joined(item.get("personal_phone_numbers")));
            List<String> lineTypes = new ArrayList<>();
            List<String> sources = new ArrayList<>();
            for (JsonNode phone : item.path("phones")) {
                lineTypes.add(phone.path("line_type").asText());
                sources.add(phone.path("source").asText());
            }
            expected.put("phone_line_types", String.join(";", lineTypes));
            expected.put("phone_sources", String.join(";", sources));
            for (String field : List.of("first_name", "last_name", "full_name", "title", "linkedin_url", "location")) {
                expected.put("prospect_" + field, text(item.path("prospect").get(field)));
            }
            for (String field : List.of("name", "domain", "industry", "employee_count")) {
                expected.put("company_" + field, text(item.path("company").get(field)));
            }
            for (String field : List.of("email", "phone", "prospect")) {
                expected.put("source_" + field, text(item.path("source").get(field)));
            }
            expected.put("skipped_reason", text(item.get("skipped_reason")));
            expected.put("error", text(item.get("error")));
            for (var entry : expected.entrySet()) {
                assertThat(unneutralise(row.get(entry.getKey())))
                        .as("row %d column %s", i + 1, entry.getKey())
                        .isEqualTo(entry.getValue());
            }
            if (item.has("custom")) {
                assertThat(JSON.readTree(row.get("custom"))).isEqualTo(item.get("custom"));
            } else {
                assertThat(row.get("custom")).isEmpty();
            }
            // No cell reaches a spreadsheet as a formula, except a list of E.164 numbers (digits only).
            for (String cell : row.values()) {
                if (!cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0) {
                    assertThat(cell).matches("\\+[0-9]{1,15}(;\\+[0-9]{1,15})*");
                }
            }
        }
    }

    /** The documented way back from a neutralised cell: drop the `'` put before a formula character. */
    private static String unneutralise(String cell) {
        return cell.length() > 1 && cell.charAt(0) == '\'' && "=+-@\t\r".indexOf(cell.charAt(1)) >= 0
                ? cell.substring(1)
                : cell;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? "" : node.asText();
    }

    private static String joined(JsonNode list) {
        if (list == null || list.isNull()) {
            return "";
        }
        List<String> values = new ArrayList<>();
        list.forEach(value -> values.add(value.asText()));
        return String.join(";", values);
    }

    /** A workflow and its tasks written straight to the database, as a run in progress or a vendor's data left them. */
    private record SeededWorkflow(UUID org, UUID list, String workflowId) {
        static SeededWorkflow insert(Connection conn, Tenant tenant, String workflowId, String status, int total)
                throws Exception {
            UUID org = UUID.fromString(tenant.orgId());
            UUID list = Db.defaultList(conn, org);
            // Dispatched and making progress now, so neither sweep touches it during the test.
            Db.exec(
                    conn,
                    "INSERT INTO workflows (id, org_id, lead_list_id, enrichment_type, status, total_prospects,"
                            + " options, dispatched_at, completed_at) VALUES (?, ?, ?, 'partial', ?, ?, '{}'::jsonb,"
                            + " now(), CASE WHEN ? THEN now() END)",
                    workflowId,
                    org,
                    list,
                    status,
                    total,
                    status.startsWith("completed"));
            return new SeededWorkflow(org, list, workflowId);
        }

        SeededWorkflow task(Connection conn, UUID taskId, int idx, String status, JsonNode result) throws Exception {
            Db.exec(
                    conn,
                    "INSERT INTO tasks (id, workflow_id, org_id, lead_list_id, idx, status, contact, result, started_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, '{}'::jsonb, ?::json, now())",
                    taskId,
                    workflowId,
                    org,
                    list,
                    idx,
                    status,
                    result == null ? null : JSON.writeValueAsString(result));
            return this;
        }
    }
}

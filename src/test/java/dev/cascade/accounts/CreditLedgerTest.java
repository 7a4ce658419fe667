package dev.cascade.accounts;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Ledger;
import dev.cascade.testing.Ledger.Entry;

/** The credit ledger (§3, §4.4): holds at submit, charges and releases at settle, balance = the ledger's sum. */
@QuarkusTest
class CreditLedgerTest {
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @Test
    void twentyConcurrentSubmitsAgainstABalanceForTenAcceptExactlyTen() throws Exception {
        // Each submit holds 5 (5 contacts × 1 for `partial`): 50 credits cover ten of them.
        Tenant tenant = Gateway.newTenant("race-" + UUID.randomUUID(), 50);
        Map<String, Object> body = Map.of(
                "contacts", IntStream.range(0, 5).mapToObj(Gateway::person).toList());
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                answers.add(pool.submit((Callable<Response>) () -> {
                    start.await();
                    return given().auth()
                            .oauth2(tenant.key())
                            .contentType(ContentType.JSON)
                            .body(body)
                            .post("/api/v1/public/enrich/bulk");
                }));
            }
            start.countDown();
            List<String> accepted = new ArrayList<>();
            int refused = 0;
            for (Future<Response> answer : answers) {
                Response response = answer.get();
                if (response.statusCode() == 200) {
                    accepted.add(response.jsonPath().getString("workflow_id"));
                } else {
                    assertThat(response.statusCode()).isEqualTo(402);
                    assertThat(response.jsonPath().getString("detail")).isEqualTo("Insufficient credits");
                    refused++;
                }
            }
            assertThat(accepted).hasSize(10);
            assertThat(refused).isEqualTo(10);
            // Refused submits created nothing.
            assertThat(Gateway.count(
                            "SELECT count(*) FROM workflows WHERE org_id = ?", UUID.fromString(tenant.orgId())))
                    .isEqualTo(10);
            assertThat(Ledger.entries(tenant.orgId()).stream()
                            .filter(e -> e.kind().equals("hold"))
                            .count())
                    .isEqualTo(10);
            for (String workflowId : accepted) {
                tenant.awaitTerminal(workflowId, SETTLE);
            }
        } finally {
            pool.shutdownNow();
        }
        Ledger.assertExplainsBalance(tenant);
        assertThat(Ledger.decimal(Ledger.credits(tenant.orgId()), "balance")).isNotNegative();
    }

    @Test
    void insufficientCreditsAnswers402AndCreatesNothing() {
        Tenant tenant = Gateway.newTenant("poor-" + UUID.randomUUID(), 3);
        UUID org = UUID.fromString(tenant.orgId());
        given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "contacts",
                        IntStream.range(0, 4).mapToObj(Gateway::person).toList()))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(402)
                .body("detail", equalTo("Insufficient credits"));
        // A phone costs 10: even one contact is too much.
        given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(Map.of("enrichment_type", "phone_only", "contacts", List.of(Gateway.person(1))))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(402);
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?", org))
                .isZero();
        assertThat(Gateway.count("SELECT count(*) FROM tasks WHERE org_id = ?", org))
                .isZero();
        assertThat(Gateway.count("SELECT count(*) FROM lead_lists WHERE org_id = ?", org))
                .isZero();
        assertThat(Ledger.entries(tenant.orgId())).extracting(Entry::kind).containsExactly("top_up");
        assertThat(Ledger.publicBalance(tenant.key())).isEqualByComparingTo("3");
        // What the balance covers is accepted, and `none` costs nothing at all.
        given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "contacts",
                        IntStream.range(0, 3).mapToObj(Gateway::person).toList()))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(Map.of("enrichment_type", "none", "contacts", List.of(Gateway.person(9))))
                .post("/api/v1/public/enrich/bulk")
                .then()
                .statusCode(200);
    }

    /**
     * Must show: after a 10-workflow run with mixed enrichment types, the ledger's sum equals the balance, every hold
     * is released, and the charges equal what the results contain (§3).
     */
    @Test
    void chargesMatchTheResultsForEveryEnrichmentTypeAndEveryHoldIsReleased() {
        Tenant tenant = Gateway.newTenant("mixed-" + UUID.randomUUID(), 5000);
        BigDecimal initial = new BigDecimal("5000");
        List<String> types = List.of("none", "partial", "phone_only", "full", "prospecting_only");
        Map<String, String> typeOf = new HashMap<>();
        Map<String, List<String>> tasksOf = new HashMap<>();
        for (int round = 0; round < 2; round++) {
            for (String type : types) {
                int base = round * 100 + types.indexOf(type) * 10;
                List<Map<String, Object>> contacts = IntStream.range(base, base + 5)
                        .mapToObj(i -> type.equals("prospecting_only")
                                ? Map.<String, Object>of("company_domain", "company" + i + ".com")
                                : Gateway.person(i))
                        .toList();
                JsonPath accepted = tenant.submitForBody(Map.of("enrichment_type", type, "contacts", contacts));
                String workflowId = accepted.getString("workflow_id");
                typeOf.put(workflowId, type);
                tasksOf.put(workflowId, accepted.getList("task_ids"));
            }
        }
        // An operator changing the organisation's limits mid-run must not touch its credits.
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("requests_per_minute", 50000, "key_requests_per_minute", 50000))
                .put("/api/v1/admin/organizations/" + tenant.orgId() + "/rate-limits")
                .then()
                .statusCode(200);
        // Mid-run, what is available is the ledger's sum (holds included): read in one snapshot while tasks settle.
        assertThat(Gateway.count(
                        "SELECT count(*) FROM organizations o WHERE o.id = ? AND o.credits - o.credits_held ="
                                + " (SELECT sum(amount) FROM credit_ledger l WHERE l.org_id = o.id)",
                        UUID.fromString(tenant.orgId())))
                .isEqualTo(1);

        BigDecimal totalCharged = BigDecimal.ZERO;
        List<Entry> ledger = null;
        for (String workflowId : typeOf.keySet()) {
            tenant.awaitTerminal(workflowId, SETTLE);
        }
        ledger = Ledger.entries(tenant.orgId(), 7);
        for (Map.Entry<String, String> workflow : typeOf.entrySet()) {
            String workflowId = workflow.getKey();
            String type = workflow.getValue();
            BigDecimal expected = BigDecimal.ZERO;
            for (String taskId : tasksOf.get(workflowId)) {
                JsonPath task = tenant.task(taskId);
                BigDecimal taskCharge = expectedCharge(type, task);
                expected = expected.add(taskCharge);
                List<Entry> charges = ledger.stream()
                        .filter(e -> taskId.equals(e.taskId()) && e.kind().equals("charge"))
                        .toList();
                if (taskCharge.signum() == 0) {
                    assertThat(charges)
                            .as("task %s of a %s workflow", taskId, type)
                            .isEmpty();
                } else {
                    assertThat(charges)
                            .singleElement()
                            .satisfies(e -> assertThat(e.amount()).isEqualByComparingTo(taskCharge.negate()));
                }
            }
            JsonPath status = tenant.workflow(workflowId);
            assertThat(new BigDecimal(status.getString("workflow.credits_charged")))
                    .as("credits_charged of a %s workflow", type)
                    .isEqualByComparingTo(expected);
            List<Entry> rows = ledger.stream()
                    .filter(e -> workflowId.equals(e.workflowId()))
                    .toList();
            BigDecimal held = sumOf(rows, "hold");
            BigDecimal released = sumOf(rows, "release");
            BigDecimal charged = sumOf(rows, "charge");
            BigDecimal unit = switch (type) {
                case "none" -> BigDecimal.ZERO;
                case "partial" -> BigDecimal.ONE;
                case "phone_only" -> BigDecimal.TEN;
                case "full" -> new BigDecimal("11");
                default -> new BigDecimal("25");
            };
            assertThat(held)
                    .as("hold of a %s workflow", type)
                    .isEqualByComparingTo(unit.multiply(BigDecimal.valueOf(-5)));
            assertThat(released.add(held))
                    .as("every hold of a %s workflow released", type)
                    .isZero();
            assertThat(charged).isEqualByComparingTo(expected.negate());
            totalCharged = totalCharged.add(expected);
        }
        assertThat(totalCharged).isPositive();
        JsonPath credits = Ledger.credits(tenant.orgId());
        assertThat(Ledger.decimal(credits, "held")).isZero();
        assertThat(Ledger.decimal(credits, "balance")).isEqualByComparingTo(initial.subtract(totalCharged));
        assertThat(Ledger.sum(ledger)).isEqualByComparingTo(Ledger.decimal(credits, "balance"));
        assertThat(Ledger.publicBalance(tenant.key())).isEqualByComparingTo(Ledger.decimal(credits, "balance"));
    }

    @Test
    void aBudgetCapIsNeverPassedAndTasksBeyondItAreSkipped() {
        Tenant tenant = Gateway.newTenant("budget-" + UUID.randomUUID(), 1000);
        // 20 `partial` contacts would hold 20; the cap holds 3 and charges at most 3.
        String workflowId = tenant.submit(Map.of(
                "max_credits",
                3,
                "contacts",
                IntStream.range(0, 20).mapToObj(Gateway::person).toList()));
        assertThat(Ledger.entries(tenant.orgId()).stream()
                        .filter(e -> e.kind().equals("hold"))
                        .map(Entry::amount))
                .singleElement()
                .satisfies(amount -> assertThat(amount).isEqualByComparingTo("-3"));
        tenant.awaitTerminal(workflowId, SETTLE);
        JsonPath results = tenant.results(workflowId);
        List<Map<String, Object>> items = results.getList("workflow.results");
        long emails = items.stream().filter(i -> i.get("primary_email") != null).count();
        long skipped = items.stream()
                .filter(i -> "budget".equals(i.get("skipped_reason")))
                .count();
        // Tasks run while any of the budget is unreserved (one waits while running tasks may still leave some
        // unused): every email delivered is paid for, the charges never pass the cap, and a task is skipped only
        // once the cap is reached.
        BigDecimal charged = new BigDecimal(results.getString("workflow.credits_charged"));
        assertThat(charged).isEqualByComparingTo(BigDecimal.valueOf(emails)).isLessThanOrEqualTo(new BigDecimal("3"));
        if (skipped > 0) {
            assertThat(charged).isEqualByComparingTo("3");
        }
        assertThat(items)
                .filteredOn(i -> "budget".equals(i.get("skipped_reason")))
                .allSatisfy(i -> {
                    assertThat(i.get("status")).isEqualTo("completed");
                    assertThat(i.get("primary_email")).isNull();
                });
        assertThat(results.getString("workflow.status")).isEqualTo("completed");
        Ledger.assertExplainsBalance(tenant);

        // Prospecting under a cap: the prospects found never cost more than the cap.
        String prospecting = tenant.submit(Map.of(
                "enrichment_type",
                "prospecting_only",
                "max_credits",
                10,
                "contacts",
                List.of(Map.of("company_domain", "alpha.example"), Map.of("company_domain", "beta.example"))));
        tenant.awaitTerminal(prospecting, SETTLE);
        JsonPath prospects = tenant.workflow(prospecting);
        assertThat(new BigDecimal(prospects.getString("workflow.credits_charged")))
                .isLessThanOrEqualTo(BigDecimal.TEN)
                .isPositive();
        Ledger.assertExplainsBalance(tenant);
    }

    @Test
    void operatorTopsUpAndAdjustsWithReasonsAndReadsTheLedgerPageByPage() {
        Tenant tenant = Gateway.newTenant("operator-" + UUID.randomUUID(), 10);
        String base = "/api/v1/admin/organizations/" + tenant.orgId() + "/credits";
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("amount", 25.5, "reason", "invoice 42"))
                .post(base + "/top-ups")
                .then()
                .statusCode(201)
                .body("balance", equalTo(35.5f));
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("amount", -5.5, "reason", "goodwill reversal"))
                .post(base + "/adjustments")
                .then()
                .statusCode(201)
                .body("balance", equalTo(30.0f))
                .body("available", equalTo(30.0f));
        // Refusals change nothing.
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("amount", -5))
                .post(base + "/adjustments")
                .then()
                .statusCode(422)
                .body("detail[0].loc[1]", equalTo("reason"));
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("amount", -31, "reason", "too much"))
                .post(base + "/adjustments")
                .then()
                .statusCode(409);
        for (Object bad : List.of(0, -1, "ten", 1.234, 1e15)) {
            given().auth()
                    .oauth2(Gateway.ADMIN_TOKEN)
                    .contentType(ContentType.JSON)
                    .body(Map.of("amount", bad))
                    .post(base + "/top-ups")
                    .then()
                    .statusCode(422);
        }
        // Past the largest balance kept: refused, not a 500.
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("amount", new BigDecimal("999999999999.99")))
                .post(base + "/top-ups")
                .then()
                .statusCode(422)
                .body("detail[0].loc[1]", equalTo("amount"));
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("amount", 1))
                .post("/api/v1/admin/organizations/" + UUID.randomUUID() + "/credits/top-ups")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(Map.of("amount", 1000))
                .post(base + "/top-ups")
                .then()
                .statusCode(401);

        List<Entry> pageByPage = Ledger.entries(tenant.orgId(), 1);
        assertThat(pageByPage).extracting(Entry::kind).containsExactly("top_up", "top_up", "adjustment");
        assertThat(pageByPage)
                .extracting(Entry::reason)
                .containsExactly("initial credits", "invoice 42", "goodwill reversal");
        assertThat(pageByPage).extracting(Entry::id).doesNotHaveDuplicates();
        assertThat(Ledger.sum(pageByPage)).isEqualByComparingTo("30");
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .queryParam("cursor", "not-a-cursor!")
                .get(base + "/ledger")
                .then()
                .statusCode(400)
                .body("detail", equalTo("Invalid cursor"));
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .queryParam("limit", 0)
                .get(base + "/ledger")
                .then()
                .statusCode(400);
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get("/api/v1/admin/organizations/" + tenant.orgId())
                .then()
                .statusCode(200)
                .body("credits", equalTo(30.0f))
                .body("credits_held", equalTo(0.0f))
                .body("credits_available", equalTo(30.0f));
    }

    @Test
    void theLedgerIsAppendOnly() throws Exception {
        Tenant tenant = Gateway.newTenant("append-only-" + UUID.randomUUID(), 10);
        try (Connection conn = Db.connect()) {
            assertThatThrownBy(() -> Db.exec(
                            conn,
                            "UPDATE credit_ledger SET amount = 1000000 WHERE org_id = ?",
                            UUID.fromString(tenant.orgId())))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> Db.exec(
                            conn, "DELETE FROM credit_ledger WHERE org_id = ?", UUID.fromString(tenant.orgId())))
                    .hasMessageContaining("append-only");
        }
    }

    private static BigDecimal expectedCharge(String type, JsonPath task) {
        boolean email = task.getString("task.result.primary_email") != null;
        List<Object> phones = task.getList("task.result.personal_phone_numbers");
        boolean phone = phones != null && !phones.isEmpty();
        return switch (type) {
            case "partial" -> email ? BigDecimal.ONE : BigDecimal.ZERO;
            case "phone_only" -> phone ? BigDecimal.TEN : BigDecimal.ZERO;
            case "full" -> (email ? BigDecimal.ONE : BigDecimal.ZERO).add(phone ? BigDecimal.TEN : BigDecimal.ZERO);
            case "prospecting_only" -> {
                List<Object> prospects = task.getList("task.result.prospects");
                yield BigDecimal.valueOf(prospects == null ? 0 : prospects.size());
            }
            default -> BigDecimal.ZERO;
        };
    }

    private static BigDecimal sumOf(List<Entry> rows, String kind) {
        return Ledger.sum(rows.stream().filter(e -> e.kind().equals(kind)).toList());
    }
}

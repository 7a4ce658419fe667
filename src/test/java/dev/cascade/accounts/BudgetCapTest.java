package dev.cascade.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Ledger;
import dev.cascade.testing.Ledger.Entry;

/**
 * Budget caps spend the budget (§4.4): a task runs while any of the cap is left, whatever its worst case, on what is
 * left; it delivers only what that pays for (phones withheld, or everything with `skipped_reason: budget`), so the
 * workflow is charged at most the cap and no finding goes out unpaid.
 */
@QuarkusTest
class BudgetCapTest {
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @Test
    void aFullTaskRunsUnderACapBelowItsWorstCaseAndDeliversWhatTheCapPaysFor() {
        Tenant tenant = Gateway.newTenant("budget-full-" + UUID.randomUUID(), 1000);
        // A `full` task may cost 11; a cap of 5 used to skip it although an email alone costs 1.
        String workflowId = tenant.submit(
                Map.of("enrichment_type", "full", "max_credits", 5, "contacts", List.of(Gateway.person(1))));
        tenant.awaitTerminal(workflowId, SETTLE);
        JsonPath results = tenant.results(workflowId);
        Map<String, Object> item =
                results.<Map<String, Object>>getList("workflow.results").get(0);
        List<Map<String, Object>> trace =
                tenant.task(String.valueOf(item.get("task_id"))).getList("task.trace");
        assertThat(trace).as("the task ran: it called providers").isNotEmpty();
        assertThat(item.get("status")).isEqualTo("completed");
        // Phones cost 10, more than the cap: never delivered, so never given away.
        assertThat((List<?>) item.get("personal_phone_numbers")).isEmpty();
        BigDecimal charged = new BigDecimal(results.getString("workflow.credits_charged"));
        assertThat(charged).isEqualByComparingTo(worth(item)).isLessThanOrEqualTo(new BigDecimal("5"));
        assertLedger(tenant, workflowId, charged, new BigDecimal("5"));
    }

    @Test
    void tasksRunWhileAnyBudgetIsLeftAndNoFindingGoesOutUnpaid() {
        Tenant tenant = Gateway.newTenant("budget-spend-" + UUID.randomUUID(), 1000);
        // Eight `full` contacts could cost 88; the cap is 12, less than two tasks' worst case.
        BigDecimal cap = new BigDecimal("12");
        String workflowId = tenant.submit(Map.of(
                "enrichment_type",
                "full",
                "max_credits",
                cap,
                "contacts",
                IntStream.range(0, 8).mapToObj(Gateway::person).toList()));
        tenant.awaitTerminal(workflowId, SETTLE);
        JsonPath results = tenant.results(workflowId);
        List<Map<String, Object>> items = results.getList("workflow.results");
        List<Map<String, Object>> skipped = items.stream()
                .filter(i -> "budget".equals(i.get("skipped_reason")))
                .toList();
        long ran = 0;
        for (Map<String, Object> item : items) {
            if (!tenant.task(String.valueOf(item.get("task_id")))
                    .getList("task.trace")
                    .isEmpty()) {
                ran++;
            }
        }
        assertThat(ran)
                .as("more than one task ran under a cap below two worst cases")
                .isGreaterThan(1);
        BigDecimal delivered = items.stream().map(BudgetCapTest::worth).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal charged = new BigDecimal(results.getString("workflow.credits_charged"));
        // Every finding delivered is paid for, and the charges never pass the cap.
        assertThat(charged).isEqualByComparingTo(delivered).isLessThanOrEqualTo(cap);
        assertThat(skipped).allSatisfy(i -> {
            assertThat(i.get("status")).isEqualTo("completed");
            assertThat(i.get("primary_email")).isNull();
            assertThat((List<?>) i.get("personal_phone_numbers")).isEmpty();
        });
        assertLedger(tenant, workflowId, charged, cap);
    }

    @Test
    void aCapBelowThePriceOfAnyFindingBuysNothing() {
        Tenant tenant = Gateway.newTenant("budget-tiny-" + UUID.randomUUID(), 1000);
        // 0.01 credits may let tasks run, but no email (1) or phone (10) fits in it: nothing is delivered unpaid.
        String workflowId = tenant.submit(Map.of(
                "enrichment_type",
                "full",
                "max_credits",
                new BigDecimal("0.01"),
                "contacts",
                IntStream.range(0, 20).mapToObj(Gateway::person).toList()));
        tenant.awaitTerminal(workflowId, SETTLE);
        JsonPath results = tenant.results(workflowId);
        List<Map<String, Object>> items = results.getList("workflow.results");
        assertThat(items).hasSize(20).allSatisfy(i -> {
            assertThat(i.get("primary_email")).isNull();
            assertThat((List<?>) i.get("personal_phone_numbers")).isEmpty();
        });
        BigDecimal charged = new BigDecimal(results.getString("workflow.credits_charged"));
        assertThat(charged).isZero();
        assertLedger(tenant, workflowId, charged, new BigDecimal("0.01"));
    }

    /** What a task's findings cost at the default prices: 1 for an email, 10 for phones. */
    private static BigDecimal worth(Map<String, Object> item) {
        BigDecimal worth = BigDecimal.ZERO;
        if (item.get("primary_email") != null) {
            worth = worth.add(BigDecimal.ONE);
        }
        Object phones = item.get("personal_phone_numbers");
        if (phones instanceof List<?> list && !list.isEmpty()) {
            worth = worth.add(BigDecimal.TEN);
        }
        return worth;
    }

    /** The workflow's charge rows add up to its charge, its hold is released whole, and the ledger is the balance. */
    private static void assertLedger(Tenant tenant, String workflowId, BigDecimal charged, BigDecimal hold) {
        List<Entry> rows = Ledger.entries(tenant.orgId()).stream()
                .filter(e -> workflowId.equals(e.workflowId()))
                .toList();
        BigDecimal charges = rows.stream()
                .filter(e -> e.kind().equals("charge"))
                .map(Entry::amount)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal holds = rows.stream()
                .filter(e -> e.kind().equals("hold"))
                .map(Entry::amount)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal releases = rows.stream()
                .filter(e -> e.kind().equals("release"))
                .map(Entry::amount)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(holds).isEqualByComparingTo(hold.negate());
        assertThat(charges).isEqualByComparingTo(charged.negate());
        // A hold never outlives its workflow: its releases give it all back.
        assertThat(holds.add(releases)).isZero();
        Ledger.assertExplainsBalance(tenant);
    }
}

package dev.cascade.aggregation;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/**
 * The gateway's own share of a contact's latency, the aggregator's settles and the provider calls in flight are on
 * /q/metrics.
 */
@QuarkusTest
class OverheadMetricsTest {
    @Test
    void everySettledTaskIsTimedFromItsResultAndFromItsSubmitAsHistograms() {
        Tenant tenant = Gateway.newTenant("overhead-" + UUID.randomUUID());
        double delaysBefore = sample(metrics(), "cascade_task_settle_delay_seconds_count");
        double turnaroundsBefore = sample(metrics(), "cascade_task_turnaround_seconds_count");
        double settlesBefore = sample(metrics(), "cascade_aggregator_settles_seconds_count");
        double settledResultsBefore = sample(metrics(), "cascade_aggregator_settle_results_sum");
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            contacts.add(Gateway.person(i));
        }
        String workflowId = tenant.submit(Map.of("enrichment_type", "partial", "contacts", contacts));
        assertThat(tenant.awaitTerminal(workflowId, Duration.ofSeconds(60)).getString("workflow.status"))
                .isEqualTo("completed");

        String after = metrics();
        // At least the 20 tasks of this workflow (other tests' tasks may settle meanwhile).
        assertThat(sample(after, "cascade_task_settle_delay_seconds_count") - delaysBefore)
                .isGreaterThanOrEqualTo(20);
        assertThat(sample(after, "cascade_task_turnaround_seconds_count") - turnaroundsBefore)
                .isGreaterThanOrEqualTo(20);
        // Buckets, so that p95/p99 can be queried.
        assertThat(after).contains("cascade_task_settle_delay_seconds_bucket{");
        assertThat(after).contains("cascade_task_turnaround_seconds_bucket{");
        assertThat(after).contains("cascade_waterfall_tasks_seconds_bucket{");
        // The aggregator's part: its settles (at least one), the results they took (at least these 20) and each
        // poll's wait for its settle.
        assertThat(sample(after, "cascade_aggregator_settles_seconds_count") - settlesBefore)
                .isGreaterThanOrEqualTo(1);
        assertThat(sample(after, "cascade_aggregator_settle_results_sum") - settledResultsBefore)
                .isGreaterThanOrEqualTo(20);
        assertThat(sample(after, "cascade_aggregator_settle_wait_seconds_count"))
                .isGreaterThanOrEqualTo(1);
        assertThat(after).contains("cascade_aggregator_settles_seconds_bucket{");
        assertThat(after).contains("cascade_aggregator_settle_results_bucket{");
        assertThat(after).contains("cascade_aggregator_settle_wait_seconds_bucket{");
        // A partial task asks a finder and a verifier: calls were in flight, and none is left over.
        assertThat(sample(after, "cascade_provider_calls_in_flight_max")).isGreaterThanOrEqualTo(1);
        assertThat(after).contains("cascade_provider_calls_in_flight ");
    }

    private static String metrics() {
        return given().get(Gateway.management("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
    }

    /** Sum of a metric's samples (over all tag sets); 0 when absent. */
    private static double sample(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }
}

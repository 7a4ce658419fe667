package dev.cascade.testing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.restassured.path.json.JsonPath;

/**
 * An organisation's credits and ledger read from a gateway process of a {@link GatewayCluster} through the operator
 * API, and the ledger's invariants that every multi-process test checks.
 */
public final class ClusterLedger {
    private ClusterLedger() {}

    /** Balance, held and available, as the operator sees them. */
    public static JsonPath credits(GatewayProcess via, String adminToken, String orgId) {
        return given().baseUri(via.baseUrl())
                .auth()
                .oauth2(adminToken)
                .get("/api/v1/admin/organizations/" + orgId + "/credits")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    /** Every ledger row of the organisation, oldest first, following the cursor page by page. */
    public static List<Map<String, Object>> entries(GatewayProcess via, String adminToken, String orgId) {
        List<Map<String, Object>> all = new ArrayList<>();
        String cursor = null;
        do {
            var request =
                    given().baseUri(via.baseUrl()).auth().oauth2(adminToken).queryParam("limit", 500);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/api/v1/admin/organizations/" + orgId + "/credits/ledger")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            all.addAll(page.getList("entries"));
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        return all;
    }

    /**
     * Asserts that nothing is held any more, the ledger sums to the balance, each workflow's holds and releases net
     * out and no task was charged twice; answers the charges per workflow, for the caller to compare with what
     * each workflow reports.
     */
    public static Map<String, BigDecimal> assertSettledExactly(JsonPath credits, List<Map<String, Object>> ledger) {
        BigDecimal sum = BigDecimal.ZERO;
        Map<String, BigDecimal> holdsAndReleases = new HashMap<>();
        Map<String, BigDecimal> charges = new HashMap<>();
        List<String> chargedTasks = new ArrayList<>();
        for (Map<String, Object> entry : ledger) {
            BigDecimal amount = new BigDecimal(entry.get("amount").toString());
            sum = sum.add(amount);
            String workflowId = (String) entry.get("workflow_id");
            switch ((String) entry.get("kind")) {
                case "hold", "release" -> holdsAndReleases.merge(workflowId, amount, BigDecimal::add);
                case "charge" -> {
                    charges.merge(workflowId, amount.negate(), BigDecimal::add);
                    chargedTasks.add((String) entry.get("task_id"));
                }
                default -> {}
            }
        }
        assertThat(new BigDecimal(credits.getString("held"))).isZero();
        assertThat(sum).isEqualByComparingTo(new BigDecimal(credits.getString("balance")));
        assertThat(holdsAndReleases.values()).allSatisfy(net -> assertThat(net).isZero());
        assertThat(chargedTasks).doesNotHaveDuplicates();
        return charges;
    }
}

package dev.cascade.testing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.restassured.path.json.JsonPath;

/** An organisation's credits and ledger, read through the operator API as an operator would. */
public final class Ledger {
    private Ledger() {}

    /** One ledger row. */
    public record Entry(String id, String kind, BigDecimal amount, String workflowId, String taskId, String reason) {}

    /** Every ledger row of the organisation, oldest first, following the cursor page by page. */
    public static List<Entry> entries(String orgId, int pageSize) {
        List<Entry> all = new ArrayList<>();
        String cursor = null;
        do {
            var request = given().auth().oauth2(Gateway.ADMIN_TOKEN).queryParam("limit", pageSize);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/api/v1/admin/organizations/" + orgId + "/credits/ledger")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            List<Map<String, Object>> entries = page.getList("entries");
            for (Map<String, Object> e : entries) {
                all.add(new Entry(
                        (String) e.get("entry_id"),
                        (String) e.get("kind"),
                        new BigDecimal(e.get("amount").toString()),
                        (String) e.get("workflow_id"),
                        (String) e.get("task_id"),
                        (String) e.get("reason")));
            }
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        return all;
    }

    public static List<Entry> entries(String orgId) {
        return entries(orgId, 1000);
    }

    public static BigDecimal sum(List<Entry> entries) {
        return entries.stream().map(Entry::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** The operator's view: balance, held, available. */
    public static JsonPath credits(String orgId) {
        return given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .get("/api/v1/admin/organizations/" + orgId + "/credits")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    public static BigDecimal decimal(JsonPath json, String path) {
        return new BigDecimal(json.getString(path));
    }

    /** With no workflow open: nothing held, and the ledger's sum is the balance (and what the client sees). */
    public static void assertExplainsBalance(Gateway.Tenant tenant) {
        JsonPath credits = credits(tenant.orgId());
        assertThat(decimal(credits, "held")).isZero();
        BigDecimal sum = sum(entries(tenant.orgId()));
        assertThat(sum).isEqualByComparingTo(decimal(credits, "balance"));
        assertThat(publicBalance(tenant.key())).isEqualByComparingTo(sum);
    }

    /** What the client sees at `GET /credits/balance`. */
    public static BigDecimal publicBalance(String key) {
        return new BigDecimal(given().auth()
                .oauth2(key)
                .get("/api/v1/public/credits/balance")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getString("credits"));
    }
}

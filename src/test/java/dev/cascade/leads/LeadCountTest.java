package dev.cascade.leads;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/** A lead list's `lead_count` is a counter the database keeps, exact after every submit, not a count per call. */
@QuarkusTest
class LeadCountTest {

    @Test
    void leadCountFollowsEverySubmitAndIsReadFromTheCounter() throws Exception {
        Tenant tenant = Gateway.newTenant("lead-count-" + UUID.randomUUID());
        tenant.submit(Map.of("enrichment_type", "none", "contacts", List.of(Gateway.person(1), Gateway.person(2))));
        assertThat(leadCount(tenant)).isEqualTo(2);
        tenant.submit(Map.of(
                "enrichment_type",
                "none",
                "contacts",
                List.of(Gateway.person(3), Gateway.person(4), Gateway.person(5))));
        tenant.submit(Map.of("enrichment_type", "partial", "contacts", List.of(Gateway.person(6))));
        assertThat(leadCount(tenant)).isEqualTo(6);

        UUID org = UUID.fromString(tenant.orgId());
        assertThat(Gateway.count("SELECT lead_count FROM lead_lists WHERE org_id = ? AND is_default", org))
                .isEqualTo(Gateway.count("SELECT count(*) FROM tasks WHERE org_id = ?", org))
                .isEqualTo(6);
        // The listing answers the stored counter: no count over the list's tasks is made per call.
        try (var conn = dev.cascade.testing.Db.connect()) {
            dev.cascade.testing.Db.exec(
                    conn, "UPDATE lead_lists SET lead_count = lead_count + 1000 WHERE org_id = ?", org);
        }
        assertThat(leadCount(tenant)).isEqualTo(1006);
    }

    private static long leadCount(Tenant tenant) {
        return given().auth()
                .oauth2(tenant.key())
                .get("/api/v1/public/lead-lists")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getLong("lead_lists[0].lead_count");
    }
}

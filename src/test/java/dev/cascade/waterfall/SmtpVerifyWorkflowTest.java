package dev.cascade.waterfall;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.MailServers;

/**
 * A `partial` workflow whose only verifier is the built-in `smtp-verify` (`t-smtp`, pointed at the loopback DNS and
 * SMTP servers of {@link MailServers}), end to end through the API: one finder (`t-smtp-finder`) proposes an
 * unverified address per contact, and the SMTP verifier's verdict decides each contact's status.
 */
@QuarkusTest
class SmtpVerifyWorkflowTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** First name → the address the finder proposes. */
    private static final Map<String, String> PROPOSED = new LinkedHashMap<>();

    static {
        PROPOSED.put("Deliverable", "lin@reliable.test");
        PROPOSED.put("Unknownbox", "zed@reliable.test");
        PROPOSED.put("Catchall", "lin@catchall.test");
        PROPOSED.put("Role", "info@amx.test");
        PROPOSED.put("Greylisted", "lin@greylist.test");
        PROPOSED.put("Patient", "lin@patient.test");
        PROPOSED.put("Nullmx", "lin@nullmx.test");
        PROPOSED.put("Fallback", "lin@amx.test");
        PROPOSED.put("Encrypted", "lin@starttls.test");
        PROPOSED.put("Slow", "lin@slow.test");
        PROPOSED.put("Nxdomain", "lin@nowhere.test");
    }

    @Test
    void aPartialWorkflowVerifiedOnlyBySmtpVerifyCompletesWithEachAddressesStatus() {
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .post("/api/v1/admin/providers/t-smtp/circuit/reset")
                .then()
                .statusCode(200);
        List<Map<String, Object>> contacts = new ArrayList<>();
        PROPOSED.forEach((first, email) -> {
            MailServers.propose(first, email);
            contacts.add(Map.of("first_name", first, "last_name", "Smtp", "company_domain", "acme.com"));
        });
        Tenant tenant = Gateway.newTenant("smtp-verify-" + UUID.randomUUID());

        JsonPath submitted = tenant.submitForBody(Map.of(
                "enrichment_type",
                "partial",
                "contacts",
                contacts,
                "waterfall",
                Map.of("email", List.of("t-smtp-finder"), "verify", "t-smtp")));
        JsonPath done = tenant.awaitTerminal(submitted.getString("workflow_id"), WAIT);

        assertThat(done.getString("workflow.status")).isEqualTo("completed");
        List<String> taskIds = submitted.getList("task_ids");
        List<String> names = new ArrayList<>(PROPOSED.keySet());
        Map<String, JsonPath> tasks = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            tasks.put(names.get(i), tenant.task(taskIds.get(i)));
        }

        assertEmail(tasks.get("Deliverable"), "lin@reliable.test", "reliable");
        assertThat(verifyStep(tasks.get("Deliverable")))
                .isEqualTo("hit/mx.reliable.test (pref 10, 127.0.0.2): banner 220, EHLO 250, MAIL 250 2.1.0,"
                        + " RCPT 250 2.1.5, probe RCPT 550 5.1.1 → deliverable, not catch-all");
        assertEmail(tasks.get("Catchall"), "lin@catchall.test", "risky");
        assertEmail(tasks.get("Role"), "info@amx.test", "risky");
        assertEmail(tasks.get("Fallback"), "lin@amx.test", "reliable");
        assertThat(verifyStep(tasks.get("Fallback"))).startsWith("hit/no MX, A fallback; amx.test (pref 0, 127.0.0.2)");
        assertEmail(tasks.get("Encrypted"), "lin@starttls.test", "reliable");
        assertThat(verifyStep(tasks.get("Encrypted")))
                .contains("127.0.0.5, TLS)")
                .contains("STARTTLS 220 2.0.0");

        // Invalid verdicts drop the address: nothing is returned for those contacts.
        for (String invalid : List.of("Unknownbox", "Nullmx", "Nxdomain")) {
            assertThat(tasks.get(invalid).getString("task.status")).isEqualTo("completed");
            assertThat(tasks.get(invalid).getString("task.result.primary_email"))
                    .as(invalid)
                    .isNull();
        }
        assertThat(verifyStep(tasks.get("Unknownbox"))).endsWith("RCPT 550 5.1.1 → no such mailbox");
        assertThat(verifyStep(tasks.get("Nullmx"))).isEqualTo("hit/null MX: the domain accepts no mail");
        assertThat(verifyStep(tasks.get("Nxdomain"))).isEqualTo("hit/domain does not exist (NXDOMAIN)");

        // Greylisted for good: retried once after the 1 s the verifier asked for, then the address stays `unknown`.
        assertEmail(tasks.get("Greylisted"), "lin@greylist.test", "unknown");
        assertThat(verifyStep(tasks.get("Greylisted")))
                .startsWith("error/mx.greylist.test")
                .endsWith("→ greylisted: RCPT 451 4.7.1 after 2 attempts");
        // Greylisted once, as real greylisting does: the retry gets through.
        assertEmail(tasks.get("Patient"), "lin@patient.test", "reliable");
        // A server too slow to greet: no verdict, so the address is `unknown`.
        assertEmail(tasks.get("Slow"), "lin@slow.test", "unknown");
        assertThat(verifyStep(tasks.get("Slow"))).contains("timeout waiting for greeting");

        assertThat(MailServers.server("reliable").commands())
                .noneMatch(c -> c.toUpperCase().startsWith("DATA"));
    }

    private static void assertEmail(JsonPath task, String email, String status) {
        assertThat(task.getString("task.status")).isEqualTo("completed");
        assertThat(task.getString("task.result.primary_email")).isEqualTo(email);
        assertThat(task.getString("task.result.primary_email_status")).as(email).isEqualTo(status);
    }

    /** The verifier's trace step as `outcome/detail`. */
    private static String verifyStep(JsonPath task) {
        for (Map<String, Object> step : task.<Map<String, Object>>getList("task.trace")) {
            if ("t-smtp".equals(step.get("provider"))) {
                assertThat(step.get("capability")).isEqualTo("verify");
                return step.get("outcome") + "/" + step.get("detail");
            }
        }
        throw new AssertionError("no t-smtp step in " + task.getList("task.trace"));
    }
}

package dev.cascade.accounts;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import dev.cascade.intake.BulkRequestParser;
import dev.cascade.support.Json;
import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Ledger;

/** `Idempotency-Key` on submit (§4.1): replay, body mismatch, in flight, per organisation, 24 h. */
@QuarkusTest
class IdempotentSubmitTest {
    private static final Map<String, Object> BODY =
            Map.of("contacts", IntStream.range(0, 3).mapToObj(Gateway::person).toList());

    @Inject
    BulkRequestParser parser;

    @Inject
    Json json;

    @Inject
    ObjectMapper mapper;

    @Test
    void theSameKeyAndBodyReplaysTheFirstAnswerWithoutASecondHold() {
        Tenant tenant = Gateway.newTenant("idem-" + UUID.randomUUID());
        String key = "order-" + UUID.randomUUID();
        Response first = submit(tenant, key, BODY);
        first.then().statusCode(200).header("Idempotent-Replayed", nullValue());
        // The same request in another shape (key order, whitespace, an unknown field) is the same request.
        String reordered = "{ \"ignored\": true, \"contacts\": ["
                + String.join(
                        ",",
                        IntStream.range(0, 3)
                                .mapToObj(i -> "{\"company_domain\":\"company" + i + ".com\",\"last_name\":\"Last" + i
                                        + "\",\"first_name\":\"First" + i + "\"}")
                                .toList())
                + "] }";
        Response replay = given().auth()
                .oauth2(tenant.key())
                .header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(reordered)
                .post("/api/v1/public/enrich/bulk");
        replay.then().statusCode(200).header("Idempotent-Replayed", "true");
        assertThat(replay.jsonPath().getMap("$")).isEqualTo(first.jsonPath().getMap("$"));
        UUID org = UUID.fromString(tenant.orgId());
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?", org))
                .isEqualTo(1);
        assertThat(Ledger.entries(tenant.orgId()).stream()
                        .filter(e -> e.kind().equals("hold"))
                        .count())
                .isEqualTo(1);

        // A different body under the same key is refused and changes nothing.
        submit(tenant, key, Map.of("contacts", List.of(Gateway.person(7))))
                .then()
                .statusCode(422)
                .body("detail", equalTo("Idempotency-Key reused with a different request body"));
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?", org))
                .isEqualTo(1);

        // Keys are per organisation: another organisation's identical key is its own.
        Tenant other = Gateway.newTenant("idem-other-" + UUID.randomUUID());
        Response theirs = submit(other, key, BODY);
        theirs.then().statusCode(200).header("Idempotent-Replayed", nullValue());
        assertThat(theirs.jsonPath().getString("workflow_id"))
                .isNotEqualTo(first.jsonPath().getString("workflow_id"));
        // Without a key, every submit is new.
        assertThat(tenant.submit(BODY)).isNotEqualTo(first.jsonPath().getString("workflow_id"));
    }

    @Test
    void concurrentRequestsWithOneKeyCreateOneWorkflow() throws Exception {
        Tenant tenant = Gateway.newTenant("idem-race-" + UUID.randomUUID());
        String key = "race-" + UUID.randomUUID();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                answers.add(pool.submit((Callable<Response>) () -> {
                    start.await();
                    return submit(tenant, key, BODY);
                }));
            }
            start.countDown();
            List<String> workflowIds = new ArrayList<>();
            int fresh = 0;
            for (Future<Response> future : answers) {
                Response answer = future.get();
                assertThat(answer.statusCode()).isIn(200, 409);
                if (answer.statusCode() == 200) {
                    workflowIds.add(answer.jsonPath().getString("workflow_id"));
                    if (answer.header("Idempotent-Replayed") == null) {
                        fresh++;
                    }
                } else {
                    assertThat(answer.jsonPath().getString("detail")).contains("still being handled");
                }
            }
            assertThat(fresh).isEqualTo(1);
            assertThat(workflowIds).isNotEmpty().allMatch(workflowIds.get(0)::equals);
        } finally {
            pool.shutdownNow();
        }
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?", UUID.fromString(tenant.orgId())))
                .isEqualTo(1);
    }

    @Test
    void aKeyStillInFlightAnswers409AndAnAbandonedOneIsTakenOver() throws Exception {
        Tenant tenant = Gateway.newTenant("idem-flight-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        byte[] hash = json.canonicalHash(parser.parse(mapper.valueToTree(BODY)));
        try (Connection conn = Db.connect()) {
            // Another replica is handling this key right now.
            Db.exec(
                    conn,
                    "INSERT INTO idempotency_keys (org_id, key, request_hash, status, claim, locked_until)"
                            + " VALUES (?, 'busy', ?, 'in_flight', ?, now() + interval '1 minute')",
                    org,
                    hash,
                    UUID.randomUUID());
            // A replica died handling this one a while ago.
            Db.exec(
                    conn,
                    "INSERT INTO idempotency_keys (org_id, key, request_hash, status, claim, locked_until)"
                            + " VALUES (?, 'abandoned', ?, 'in_flight', ?, now() - interval '1 second')",
                    org,
                    hash,
                    UUID.randomUUID());
            // Answered 25 hours ago: past the retention, as if never seen.
            Db.exec(
                    conn,
                    "INSERT INTO idempotency_keys (org_id, key, request_hash, status, claim, locked_until,"
                            + " workflow_id, response, created_at) VALUES (?, 'old', ?, 'done', ?, now(),"
                            + " 'public_bulk_00000000-0000-4000-8000-000000000000', '{}',"
                            + " now() - interval '25 hours')",
                    org,
                    new byte[32],
                    UUID.randomUUID());
        }
        submit(tenant, "busy", BODY)
                .then()
                .statusCode(409)
                .body("detail", equalTo("A request with this Idempotency-Key is still being handled; retry later"));
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?", org))
                .isZero();
        submit(tenant, "abandoned", BODY).then().statusCode(200).header("Idempotent-Replayed", nullValue());
        submit(tenant, "abandoned", BODY).then().statusCode(200).header("Idempotent-Replayed", "true");
        submit(tenant, "old", BODY).then().statusCode(200).header("Idempotent-Replayed", nullValue());
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?", org))
                .isEqualTo(2);
    }

    @Test
    void aRefusedSubmitGivesItsKeyBack() {
        Tenant tenant = Gateway.newTenant("idem-402-" + UUID.randomUUID(), 1);
        String key = "after-top-up";
        submit(tenant, key, BODY).then().statusCode(402);
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("amount", 10))
                .post("/api/v1/admin/organizations/" + tenant.orgId() + "/credits/top-ups")
                .then()
                .statusCode(201);
        submit(tenant, key, BODY).then().statusCode(200).header("Idempotent-Replayed", nullValue());
    }

    @Test
    void malformedKeysAreRefused() {
        Tenant tenant = Gateway.newTenant("idem-bad-" + UUID.randomUUID());
        for (String bad : List.of("x".repeat(256), "tab\there", "é-accent")) {
            submit(tenant, bad, BODY)
                    .then()
                    .statusCode(400)
                    .body("detail", equalTo("Idempotency-Key must be 1 to 255 printable ASCII characters"));
        }
        submit(tenant, "k".repeat(255), BODY).then().statusCode(200);
        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?", UUID.fromString(tenant.orgId())))
                .isEqualTo(1);
    }

    private static Response submit(Tenant tenant, String key, Map<String, Object> body) {
        return given().auth()
                .oauth2(tenant.key())
                .header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/v1/public/enrich/bulk");
    }
}

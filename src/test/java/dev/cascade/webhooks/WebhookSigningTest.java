package dev.cascade.webhooks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jakarta.inject.Inject;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.config.CascadeConfig;
import dev.cascade.testing.Db;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Receiver;

/**
 * Standard Webhooks signing (§6.3) checked as a receiver checks it: with the published `com.standardwebhooks` Java
 * library and the secret the operator's reveal call shows, through a rotation and after its overlap.
 */
@QuarkusTest
class WebhookSigningTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static WireMockServer receiver;

    @Inject
    SigningSecrets secrets;

    @Inject
    Pool pool;

    @Inject
    CascadeConfig config;

    @BeforeAll
    static void startReceiver() {
        receiver = Receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop();
    }

    @Test
    void aWebhookVerifiesWithTheRevealedSecretAsAReceiverChecksIt() throws Exception {
        Tenant tenant = Gateway.newTenant("signed-" + UUID.randomUUID());
        JsonPath revealed = reveal(tenant.orgId());
        assertThat(revealed.getList("secrets")).hasSize(1);
        String secret = revealed.getString("secrets[0].secret");
        assertThat(secret).matches("whsec_[A-Za-z0-9+/]{43}=");
        assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);

        String workflowId = tenant.submit(workflow("/signed/" + UUID.randomUUID()));
        LoggedRequest request = awaitDelivery(workflowId);
        String body = rawBody(request);
        Map<String, List<String>> headers = headers(request);

        assertThat(request.getHeader("webhook-id")).startsWith("msg_");
        assertThat(Long.parseLong(request.getHeader("webhook-timestamp")))
                .isBetween(Instant.now().getEpochSecond() - 60, Instant.now().getEpochSecond() + 5);
        assertThat(request.getHeader("webhook-signature")).matches("v1,[A-Za-z0-9+/]{43}=");
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        // `cascade.webhooks.user-agent`, set for the test profile to something other than its default.
        assertThat(request.getHeader("User-Agent")).isEqualTo("Cascade-test/1.0 (+webhooks)");
        assertThatCode(() -> new Webhook(secret).verify(body, headers)).doesNotThrowAnyException();
        assertThat(body).contains(workflowId);

        // What a receiver must refuse: an altered body, another secret, a replayed id or timestamp.
        assertThatThrownBy(() -> new Webhook(secret).verify(body.replace(workflowId, workflowId + "x"), headers))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(secret).verify(body + " ", headers))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(randomSecret()).verify(body, headers))
                .isInstanceOf(WebhookVerificationException.class);
        Map<String, List<String>> otherId = new HashMap<>(headers);
        otherId.put("webhook-id", List.of("msg_" + UUID.randomUUID().toString().replace("-", "")));
        assertThatThrownBy(() -> new Webhook(secret).verify(body, otherId))
                .isInstanceOf(WebhookVerificationException.class);
        Map<String, List<String>> otherTime = new HashMap<>(headers);
        otherTime.put(
                "webhook-timestamp",
                List.of(Long.toString(Long.parseLong(request.getHeader("webhook-timestamp")) - 1)));
        assertThatThrownBy(() -> new Webhook(secret).verify(body, otherTime))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void duringARotationBothSecretsVerifyAndAfterTheOverlapOnlyTheNewOne() throws Exception {
        Tenant tenant = Gateway.newTenant("rotation-" + UUID.randomUUID());
        String first = reveal(tenant.orgId()).getString("secrets[0].secret");

        JsonPath rotated = rotate(tenant.orgId(), null);
        String second = rotated.getString("secret");
        assertThat(second).matches("whsec_[A-Za-z0-9+/]{43}=").isNotEqualTo(first);
        assertThat(rotated.getString("organization_id")).isEqualTo(tenant.orgId());
        // The configured default overlap (24 h) for the previous secret.
        Instant previousExpires = Instant.parse(rotated.getString("previous_expire_at"));
        assertThat(previousExpires)
                .isBetween(
                        Instant.now().plus(Duration.ofHours(24)).minusSeconds(60),
                        Instant.now().plus(Duration.ofHours(24)).plusSeconds(60));
        JsonPath both = reveal(tenant.orgId());
        assertThat(both.getList("secrets.secret")).containsExactly(second, first);
        assertThat(both.getString("secrets[0].expires_at")).isNull();
        assertThat(both.getString("secrets[1].expires_at")).isEqualTo(rotated.getString("previous_expire_at"));

        String during = tenant.submit(workflow("/rotation/" + UUID.randomUUID()));
        LoggedRequest request = awaitDelivery(during);
        String body = rawBody(request);
        Map<String, List<String>> headers = headers(request);
        String[] signatures = request.getHeader("webhook-signature").split(" ");
        assertThat(signatures).hasSize(2);
        // Newest first.
        long timestamp = Long.parseLong(request.getHeader("webhook-timestamp"));
        assertThat(signatures[0]).isEqualTo(new Webhook(second).sign(request.getHeader("webhook-id"), timestamp, body));
        assertThatCode(() -> new Webhook(first).verify(body, headers)).doesNotThrowAnyException();
        assertThatCode(() -> new Webhook(second).verify(body, headers)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new Webhook(randomSecret()).verify(body, headers))
                .isInstanceOf(WebhookVerificationException.class);

        JsonPath again = rotate(tenant.orgId(), 1);
        String third = again.getString("secret");
        assertThat(Instant.parse(again.getString("previous_expire_at")))
                .isBetween(Instant.now().minusSeconds(5), Instant.now().plusSeconds(5));
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> reveal(tenant.orgId()).getList("secrets.secret").equals(List.of(third)));

        String after = tenant.submit(workflow("/rotation/" + UUID.randomUUID()));
        LoggedRequest later = awaitDelivery(after);
        String laterBody = rawBody(later);
        Map<String, List<String>> laterHeaders = headers(later);
        assertThat(later.getHeader("webhook-signature").split(" ")).hasSize(1);
        assertThatCode(() -> new Webhook(third).verify(laterBody, laterHeaders)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new Webhook(second).verify(laterBody, laterHeaders))
                .isInstanceOf(WebhookVerificationException.class);
        assertThatThrownBy(() -> new Webhook(first).verify(laterBody, laterHeaders))
                .isInstanceOf(WebhookVerificationException.class);
    }

    @Test
    void twoReplicasCreatingAnOrganisationsFirstSecretAtOnceEndWithOne() {
        // A second instance has its own cache, as another replica would; both share the database.
        SigningSecrets replica = new SigningSecrets(pool, config);
        for (int i = 0; i < 10; i++) {
            UUID org = UUID.fromString(
                    Gateway.newTenant("first-use-" + UUID.randomUUID()).orgId());
            List<Uni<List<String>>> calls = List.of(
                    secrets.activeSecrets(org),
                    replica.activeSecrets(org),
                    secrets.activeSecrets(org),
                    replica.activeSecrets(org));
            List<List<?>> answers = Uni.combine()
                    .all()
                    .unis(calls)
                    .with(list ->
                            list.stream().<List<?>>map(each -> (List<?>) each).toList())
                    .await()
                    .atMost(Duration.ofSeconds(10));
            assertThat(answers).allSatisfy(answer -> assertThat(answer).hasSize(1));
            assertThat(answers.stream().map(a -> a.get(0)).distinct()).hasSize(1);
            assertThat(Gateway.count("SELECT count(*) FROM webhook_signing_secrets WHERE org_id = ?", org))
                    .isEqualTo(1);
        }
    }

    @Test
    void aWebhookThatCannotBeSignedIsNeverSentUnsignedAndIsRetried() throws Exception {
        Tenant tenant = Gateway.newTenant("unsignable-" + UUID.randomUUID());
        UUID org = UUID.fromString(tenant.orgId());
        byte[] nonce = new byte[12];
        byte[] garbage = new byte[48];
        RANDOM.nextBytes(nonce);
        RANDOM.nextBytes(garbage);
        try (Connection conn = Db.connect()) {
            Db.exec(
                    conn,
                    "INSERT INTO webhook_signing_secrets (id, org_id, nonce, ciphertext) VALUES (?, ?, ?, ?)",
                    UUID.randomUUID(),
                    org,
                    nonce,
                    garbage);
        }
        String path = "/unsignable/" + UUID.randomUUID();
        String workflowId = tenant.submit(workflow(path));

        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> deliveries(tenant, workflowId)
                                .getList("deliveries.error")
                                .size()
                        >= 2);
        JsonPath log = deliveries(tenant, workflowId);
        assertThat(log.getList("deliveries.status")).containsOnly("failed");
        assertThat(log.getList("deliveries.error")).containsOnly("signing failed");
        assertThat(log.getString("deliveries[0].next_attempt_at")).isNotNull();
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo(path)))).isEmpty();

        // Once the unreadable secret is gone, the next scheduled attempt signs with a fresh one and is delivered.
        try (Connection conn = Db.connect()) {
            Db.exec(conn, "DELETE FROM webhook_signing_secrets WHERE org_id = ?", org);
        }
        LoggedRequest request = awaitDelivery(workflowId);
        String secret = reveal(tenant.orgId()).getString("secrets[0].secret");
        assertThatCode(() -> new Webhook(secret).verify(rawBody(request), headers(request)))
                .doesNotThrowAnyException();
        assertThat(receiver.findAll(postRequestedFor(urlEqualTo(path)))).hasSize(1);
    }

    private static Map<String, Object> workflow(String path) {
        receiver.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        return Map.of(
                "enrichment_type",
                "none",
                "webhook_url",
                "http://127.0.0.1:" + receiver.port() + path,
                "contacts",
                List.of(Gateway.person(1)));
    }

    /** The one request the receiver got for the workflow (its path is unique to the test). */
    private static LoggedRequest awaitDelivery(String workflowId) {
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> receiver.getAllServeEvents().stream()
                        .anyMatch(e -> rawBody(e.getRequest()).contains(workflowId)));
        return receiver.getAllServeEvents().stream()
                .map(e -> (LoggedRequest) e.getRequest())
                .filter(r -> rawBody(r).contains(workflowId))
                .findFirst()
                .orElseThrow();
    }

    /** The body exactly as it arrived, before any parsing. */
    private static String rawBody(com.github.tomakehurst.wiremock.http.Request request) {
        return new String(request.getBody(), StandardCharsets.UTF_8);
    }

    private static Map<String, List<String>> headers(LoggedRequest request) {
        Map<String, List<String>> headers = new HashMap<>();
        for (HttpHeader header : request.getHeaders().all()) {
            headers.put(header.key(), header.values());
        }
        return headers;
    }

    private static String randomSecret() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return "whsec_" + Base64.getEncoder().encodeToString(raw);
    }

    static JsonPath reveal(String orgId) {
        return given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .when()
                .get("/api/v1/admin/organizations/" + orgId + "/webhook-secret")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    static JsonPath rotate(String orgId, Integer overlapSeconds) {
        var request = given().auth().oauth2(Gateway.ADMIN_TOKEN);
        if (overlapSeconds != null) {
            request = request.contentType(ContentType.JSON).body(Map.of("overlap_seconds", overlapSeconds));
        }
        return request.when()
                .post("/api/v1/admin/organizations/" + orgId + "/webhook-secret/rotate")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private static JsonPath deliveries(Tenant tenant, String workflowId) {
        return given().auth()
                .oauth2(tenant.key())
                .queryParam("workflow_id", workflowId)
                .get("/api/v1/public/webhooks/deliveries")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }
}

package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import jakarta.inject.Inject;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cascade.config.CascadeConfig;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/**
 * The body-size limit comes after authentication and the rate limit (§2.1), every 413 is the contract's JSON shape
 * (also for a chunked body, which is counted while read and refused at the limit), and the `RateLimit-*` headers are on
 * every answer §10 names: 401, 413 and operator answers.
 */
@QuarkusTest
class BodyLimitOrderTest {
    private static final String BULK = "/api/v1/public/enrich/bulk";

    @Inject
    CascadeConfig config;

    private Tenant tenant;

    @BeforeEach
    void freshTenant() {
        tenant = Gateway.newTenant("body-limit-" + UUID.randomUUID());
    }

    @Test
    void oversizedBodyWithoutAKeyIs401NotA413() {
        // Both just over the contract's limit and over the HTTP layer's old 2 MiB hard stop.
        for (int size : List.of(config.intake().maxBodyBytes() + 1024, 3 * 1024 * 1024)) {
            given().contentType(ContentType.JSON)
                    .body(oversized(size))
                    .when()
                    .post(BULK)
                    .then()
                    .statusCode(401)
                    .header("WWW-Authenticate", "Bearer")
                    .header("RateLimit-Limit", notNullValue())
                    .body("detail", equalTo("Not authenticated"));
        }
    }

    @Test
    void oversizedBodyWithAValidKeyIsA413InJsonWithRateLimitHeaders() {
        given().auth()
                .oauth2(tenant.key())
                .contentType(ContentType.JSON)
                .body(oversized(3 * 1024 * 1024))
                .when()
                .post(BULK)
                .then()
                .statusCode(413)
                .contentType(ContentType.JSON)
                .header("RateLimit-Limit", notNullValue())
                .header("RateLimit-Remaining", notNullValue())
                .header("RateLimit-Reset", notNullValue())
                .body("detail", equalTo("Request body too large"));
    }

    @Test
    void chunkedBodyOverTheLimitIsA413InJson() throws IOException {
        // Larger than the HTTP layer's old hard stop (2 MiB), which answered a bare 413 after buffering 2 MiB.
        byte[] body = oversized(5 * 1024 * 1024 / 2).getBytes(StandardCharsets.UTF_8);
        String answer = postChunked(tenant.key(), body);
        assertThat(answer).startsWith("HTTP/1.1 413");
        assertThat(answer.toLowerCase())
                .contains("content-type: application/json")
                .contains("ratelimit-limit:");
        assertThat(answer).contains("{\"detail\":\"Request body too large\"}");
    }

    @Test
    void chunkedBodyUnderTheLimitIsReadAsUsual() throws IOException {
        String json = "{\"enrichment_type\":\"none\",\"contacts\":[{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\","
                + "\"company_domain\":\"example.com\"}]}";
        String answer = postChunked(tenant.key(), json.getBytes(StandardCharsets.UTF_8));
        assertThat(answer).startsWith("HTTP/1.1 200").contains("public_bulk_");
    }

    @Test
    void unauthenticatedAndOperatorAnswersCarryRateLimitHeaders() {
        given().when()
                .get("/api/v1/public/credits/balance")
                .then()
                .statusCode(401)
                .header("RateLimit-Limit", Integer.toString(config.rateLimits().keyPerMinute()))
                .header(
                        "RateLimit-Remaining",
                        Integer.toString(config.rateLimits().keyPerMinute()))
                .header("RateLimit-Reset", notNullValue());
        int burst = config.admin().authThrottle().burst();
        given().auth()
                .oauth2(Gateway.ADMIN_TOKEN)
                .when()
                .get("/api/v1/admin/organizations")
                .then()
                .statusCode(200)
                .header("RateLimit-Limit", Integer.toString(burst))
                .header("RateLimit-Remaining", notNullValue())
                .header("RateLimit-Reset", notNullValue());
        // No credential spends no attempt, but the answer still says where the client stands.
        given().when()
                .get("/api/v1/admin/organizations")
                .then()
                .statusCode(401)
                .header("RateLimit-Limit", Integer.toString(burst));
    }

    private static String oversized(int size) {
        return "{\"contacts\":[{\"first_name\":\"" + "x".repeat(size) + "\"}]}";
    }

    /** A POST whose body is sent with `Transfer-Encoding: chunked` (no `Content-Length`), over a fresh connection. */
    private static String postChunked(String key, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            String head = "POST " + BULK + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            try {
                for (int at = 0; at < body.length; at += 16 * 1024) {
                    int n = Math.min(16 * 1024, body.length - at);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, at, n);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException refusedMidway) {
                // The gateway answers and closes once the body passes the limit: the answer is still there to read.
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                in.transferTo(all);
            } catch (IOException reset) {
                // A reset after the answer (the rest of the body was never read) ends the stream.
            }
            return all.toString(StandardCharsets.UTF_8);
        }
    }
}

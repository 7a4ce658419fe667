package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import jakarta.inject.Inject;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import dev.cascade.config.CascadeConfig;
import dev.cascade.testing.Gateway;

/**
 * Wrong operator tokens are throttled per client address (issue 12, item 3): after the burst a client gets 429 with
 * `Retry-After`, even with the right token, while other addresses are unaffected; each failure is logged with the
 * address and never with the token. Each test speaks from an address of its own on 127/8 (Linux routes all of it to
 * loopback), so that the rest of the suite, on 127.0.0.1, is never throttled.
 */
@QuarkusTest
class OperatorAuthThrottleTest {
    private static final String ORGS = "/api/v1/admin/organizations";

    @Inject
    CascadeConfig config;

    @Test
    void aClientIsRefusedWith429AfterTheBurstOfWrongTokensAndOthersAreNot() throws IOException {
        String client = "127.0.12.2";
        int burst = config.admin().authThrottle().burst();
        for (int i = 0; i < burst; i++) {
            assertThat(get(client, "wrong-token-" + i).status()).isEqualTo(401);
        }

        Answer refused = get(client, "wrong-token-again");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(Long.parseLong(refused.header("retry-after"))).isPositive();
        assertThat(refused.body()).contains("\"detail\"");
        // While throttled, the right token is not even compared: a 200 would confirm a guess.
        assertThat(get(client, Gateway.ADMIN_TOKEN).status()).isEqualTo(429);

        assertThat(get("127.0.12.3", Gateway.ADMIN_TOKEN).status()).isEqualTo(200);
        given().auth().oauth2(Gateway.ADMIN_TOKEN).get(ORGS).then().statusCode(200);
    }

    @Test
    void theRightTokenAndMissingCredentialsSpendNoAttempts() throws IOException {
        String client = "127.0.12.4";
        int burst = config.admin().authThrottle().burst();
        for (int i = 0; i < burst * 2; i++) {
            assertThat(get(client, null).status()).isEqualTo(401);
            assertThat(get(client, Gateway.ADMIN_TOKEN).status()).isEqualTo(200);
        }
        assertThat(get(client, "wrong-token").status()).isEqualTo(401);
    }

    @Test
    void aFailedAttemptIsLoggedWithTheClientAddressButNeverTheToken() throws IOException {
        String client = "127.0.12.5";
        String guess = "guess-" + UUID.randomUUID();

        assertThat(get(client, guess).status()).isEqualTo(401);

        Path log = Path.of("target/cascade-test.log");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Files.readString(log, StandardCharsets.UTF_8))
                        .contains("WARN")
                        .contains("Operator authentication failed from " + client));
        assertThat(Files.readString(log, StandardCharsets.UTF_8))
                .doesNotContain(guess)
                .doesNotContain(Gateway.ADMIN_TOKEN);
    }

    private record Answer(int status, String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0
                        && line.substring(0, colon)
                                .trim()
                                .toLowerCase(Locale.ROOT)
                                .equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    /** `GET /api/v1/admin/organizations` sent from {@code source} (with a Bearer token unless null). */
    private static Answer get(String source, String token) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), RestAssured.port), 5000);
            socket.setSoTimeout(10_000);
            String request = "GET " + ORGS + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            String head = end < 0 ? answer : answer.substring(0, end);
            String body = end < 0 ? "" : answer.substring(end + 4);
            return new Answer(Integer.parseInt(head.split(" ", 3)[1]), head, body);
        }
    }
}

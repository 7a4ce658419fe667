package dev.cascade.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/**
 * The operator endpoints cannot be reached by a spelling of their path that slips past the operator check: dot
 * segments (plain and percent-encoded), doubled slashes, other letter cases, encoded slashes, trailing dots and
 * matrix parameters. Each is sent byte for byte over a raw socket (an HTTP client would normalise some of them
 * first), without credentials and with an ordinary API key: none reaches an admin handler (never a 2xx or 3xx with
 * the operator's data), and none makes the gateway fail (never a 5xx).
 */
@QuarkusTest
class AdminPathTricksTest {
    private static final List<String> PATHS = List.of(
            "//api/v1/admin/organizations",
            "/api//v1/admin/organizations",
            "/api/v1//admin/organizations",
            "/api/v1/admin//organizations",
            "/API/v1/Admin/organizations",
            "/api/v1/ADMIN/organizations",
            "/Api/V1/admin/organizations",
            "/api/v1/public/../admin/organizations",
            "/api/v1/public/%2e%2e/admin/organizations",
            "/api/v1/public/%2E%2E/admin/organizations",
            "/api/v1/public/.%2e/admin/organizations",
            "/api/v1/public/%2e%2e%2fadmin/organizations",
            "/api/v1/public/..%2Fadmin/organizations",
            "/api/v1/public/..;/admin/organizations",
            "/api/v1/public/%2e%2e;/admin/organizations",
            "/api/v1/./admin/organizations",
            "/./api/v1/admin/organizations",
            "/api/v1/%61dmin/organizations",
            "/api/v1/%41dmin/organizations",
            "/api%2Fv1%2Fadmin/organizations",
            "/api/v1%2Fadmin/organizations",
            "/api/v1/admin%2Forganizations",
            "/api/v1/admin%2forganizations",
            "/api/v1/admin./organizations",
            "/api/v1/admin;/organizations",
            "/api/v1/admin;x=y/organizations",
            "/api/v1/admin/organizations;",
            "/api/v1/admin/organizations.",
            "/api/v1/admin/organizations/",
            "/api/v1/admin%00/organizations",
            "/api/v1/admin%20/organizations",
            "/api/v1/public/enrich/../../admin/organizations",
            "/api/v1/public/%2e%2e/%2e%2e/v1/admin/organizations",
            "/%2fapi/v1/admin/organizations",
            "/api/v1/admin",
            "/api/v1/admin/");

    @Test
    void noSpellingOfTheAdminPathReachesAnAdminHandlerWithoutTheOperatorToken() throws IOException {
        Tenant tenant = Gateway.newTenant("path-tricks-" + UUID.randomUUID());
        List<String> reached = new ArrayList<>();
        for (String path : PATHS) {
            for (String authorization : new String[] {null, "Bearer " + tenant.key()}) {
                Answer answer = get(path, authorization);
                boolean handled = answer.status() < 400 || answer.status() >= 500;
                // The admin listing names every organisation; an ordinary caller must never see it.
                boolean leaked = answer.body().contains(tenant.orgId());
                if (handled || leaked) {
                    reached.add(answer.status() + " " + path + (authorization == null ? " (no key)" : " (API key)"));
                }
            }
        }
        assertThat(reached).isEmpty();

        // The operator token still works on the real path, so the checks above are not vacuous.
        assertThat(get("/api/v1/admin/organizations", "Bearer " + Gateway.ADMIN_TOKEN)
                        .body())
                .contains(tenant.orgId());
    }

    private record Answer(int status, String body) {}

    /** One GET with the path exactly as given, over a fresh connection. */
    private static Answer get(String path, String authorization) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder()
                    .append("GET ")
                    .append(path)
                    .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            if (authorization != null) {
                request.append("Authorization: ").append(authorization).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String response = all.toString(StandardCharsets.UTF_8);
            String statusLine = response.lines().findFirst().orElse("");
            String[] parts = statusLine.split(" ");
            int status = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
            return new Answer(status, response);
        }
    }
}

package dev.cascade.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Receiver;

/** Bad CSVs, exit codes, configuration, secrets, and the commands besides `enrich`, against the in-process gateway. */
@QuarkusTest
class CascadeCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WireMockServer receiver;

    @TempDir
    Path dir;

    @BeforeAll
    static void startReceiver() {
        receiver = Receiver.start();
        receiver.stubFor(post(urlEqualTo("/hook")).willReturn(ok()));
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop();
    }

    @Test
    void badCsvsAreRefusedWithTheirLinesAndNothingIsSubmitted() throws Exception {
        Tenant tenant = Gateway.newTenant("cli-bad-" + UUID.randomUUID());
        Map<String, String> env = Cli.env(tenant.key());

        Path unknown = Cli.write(
                dir.resolve("unknown.csv"),
                "first_name,last_name,company_domain,favourite_colour\nAda,L,acme.com,red\n");
        Cli.Run run = Cli.run(env, "enrich", unknown.toString());
        assertThat(run.code()).isEqualTo(Exit.BAD_INPUT);
        assertThat(run.err()).contains("unknown column: favourite_colour").contains("--column HEADER=FIELD");

        Path invalid = Cli.write(
                dir.resolve("invalid.csv"),
                "First Name,Last Name,Domain\nAda,Lovelace,acme.com\nGrace,,navy.mil\nAlan,Turing\n\n"
                        + "\"Edsger\",\"Dijkstra\",\"tue.nl\"\n");
        run = Cli.run(env, "enrich", invalid.toString());
        assertThat(run.code()).isEqualTo(Exit.BAD_INPUT);
        assertThat(run.err())
                .contains("2 invalid rows")
                .contains("line 3: needs linkedin_url, or first_name + last_name + (company_domain or company_name);"
                        + " missing last_name")
                .contains("line 4: has 2 fields, the header has 3");

        Path linkedin = Cli.write(dir.resolve("linkedin.csv"), "linkedin_url\nhttps://example.com/in/ada\n");
        run = Cli.run(env, "enrich", linkedin.toString(), "--json");
        assertThat(run.code()).isEqualTo(Exit.BAD_INPUT);
        JsonNode error = JSON.readTree(run.out()).path("error");
        assertThat(error.path("exit_code").asInt()).isEqualTo(Exit.BAD_INPUT);
        assertThat(error.path("message").asText()).contains("line 2: linkedin_url");

        Path unclosed =
                Cli.write(dir.resolve("unclosed.csv"), "first_name,last_name,company_name\n\"Ada,Lovelace,Acme\n");
        run = Cli.run(env, "enrich", unclosed.toString());
        assertThat(run.code()).isEqualTo(Exit.BAD_INPUT);
        assertThat(run.err()).contains("line 2: a quoted field is never closed");

        run = Cli.run(env, "enrich", Cli.write(dir.resolve("empty.csv"), "\n").toString());
        assertThat(run.code()).isEqualTo(Exit.BAD_INPUT);
        assertThat(run.err()).contains("a header row is required");

        run = Cli.run(env, "enrich", dir.resolve("missing.csv").toString());
        assertThat(run.code()).isEqualTo(Exit.BAD_INPUT);

        // A row only the gateway can judge: its 422 is reported by the row's line.
        Path domain = Cli.write(
                dir.resolve("domain.csv"),
                "first_name,last_name,company_domain\nAda,L,acme.com\nBob,K,not a domain!\n");
        run = Cli.run(env, "enrich", domain.toString());
        assertThat(run.code()).as(run.all()).isEqualTo(Exit.BAD_INPUT);
        assertThat(run.err()).contains("batch 1 refused").contains("line 3: company_domain");

        assertThat(Gateway.count("SELECT count(*) FROM workflows WHERE org_id = ?::uuid", tenant.orgId()))
                .isZero();
    }

    @Test
    void usageAndAuthenticationFailuresHaveTheirCodesAndNeverShowTheSecret() throws Exception {
        Path file = Cli.people(dir, "people.csv", 2);
        String wrongKey = "clapi_" + "x".repeat(64);

        Cli.Run run = Cli.run(Cli.env(wrongKey), "enrich", file.toString(), "--ignore-unknown-columns");
        assertThat(run.code()).isEqualTo(Exit.AUTH);
        assertThat(run.err()).contains("the API key was refused (HTTP 401)");
        assertThat(run.all()).doesNotContain(wrongKey);

        run = Cli.run(Cli.env(null), "--json", "credits", "--api-key", wrongKey);
        assertThat(run.code()).isEqualTo(Exit.AUTH);
        assertThat(JSON.readTree(run.out()).path("error").path("http_status").asInt())
                .as(run.all())
                .isEqualTo(401);
        assertThat(run.all()).doesNotContain(wrongKey);

        run = Cli.run(Cli.env(null), "credits");
        assertThat(run.code()).isEqualTo(Exit.AUTH);
        assertThat(run.err()).contains("no API key is configured");

        run = Cli.run(Cli.env(wrongKey), "enrich", file.toString(), "--type", "everything");
        assertThat(run.code()).isEqualTo(Exit.USAGE);
        run = Cli.run(Cli.env(wrongKey), "enrich", "--no-such-option");
        assertThat(run.code()).isEqualTo(Exit.USAGE);
        run = Cli.run(
                Cli.env(wrongKey),
                "credits",
                "--config",
                dir.resolve("none.properties").toString());
        assertThat(run.code()).isEqualTo(Exit.USAGE);

        Map<String, String> env = Cli.env(wrongKey);
        env.put("CASCADE_URL", "http://127.0.0.1:1");
        run = Cli.run(env, "credits");
        assertThat(run.code()).isEqualTo(Exit.API);
        assertThat(run.err()).contains("cannot reach the gateway at http://127.0.0.1:1/");
    }

    @Test
    void statusDeliveriesRedeliverAndCreditsWorkFromAConfigFile() throws Exception {
        Tenant tenant = Gateway.newTenant("cli-cmds-" + UUID.randomUUID(), 1000);
        Path config =
                Cli.write(dir.resolve("config.properties"), "url=" + Cli.url() + "\napi-key=" + tenant.key() + "\n");
        Map<String, String> env = Cli.env(null);
        env.remove("CASCADE_URL");
        env.put("CASCADE_CONFIG", config.toString());
        Path file = Cli.people(dir, "people.csv", 3);

        Cli.Run run = Cli.run(
                env,
                "enrich",
                file.toString(),
                "--ignore-unknown-columns",
                "--webhook",
                "http://127.0.0.1:" + receiver.port() + "/hook",
                "--json");
        assertThat(run.code()).as(run.all()).isZero();
        String workflow = JSON.readTree(run.out())
                .path("batches")
                .get(0)
                .path("workflow_id")
                .asText();

        run = Cli.run(env, "status", workflow, "--json", "--results");
        assertThat(run.code()).isZero();
        JsonNode status = JSON.readTree(run.out()).path("workflow");
        assertThat(status.path("status").asText()).isEqualTo("completed");
        assertThat(status.path("results")).hasSize(3);
        run = Cli.run(env, "status", workflow);
        assertThat(run.out()).contains("status     completed").contains("contacts   3 total, 3 completed, 0 failed");

        await().atMost(Duration.ofSeconds(30))
                .until(() -> Cli.run(env, "deliveries", workflow).out().contains("succeeded"));
        run = Cli.run(env, "redeliver", workflow, "--json");
        assertThat(run.code()).as(run.all()).isZero();
        assertThat(JSON.readTree(run.out()).path("status").asText()).isEqualTo("pending");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode log =
                    JSON.readTree(Cli.run(env, "deliveries", workflow, "--json").out());
            assertThat(log.path("deliveries").findValuesAsText("status")).containsExactly("succeeded", "succeeded");
        });
        receiver.verify(2, postRequestedFor(urlEqualTo("/hook")));

        run = Cli.run(env, "credits", "--json");
        assertThat(run.code()).isZero();
        assertThat(JSON.readTree(run.out()).path("credits").asDouble()).isLessThanOrEqualTo(1000);

        run = Cli.run(env, "status", "public_bulk_" + UUID.randomUUID());
        assertThat(run.code()).isEqualTo(Exit.API);
        assertThat(run.err()).contains("HTTP 404: Workflow not found");
        assertThat(run.all()).doesNotContain(tenant.key());
    }

    @Test
    void operatorCommandsUseTheOperatorToken() throws Exception {
        Map<String, String> env = Cli.env(null);
        env.put("CASCADE_OPERATOR_TOKEN", Gateway.ADMIN_TOKEN);

        Cli.Run run =
                Cli.run(env, "admin", "orgs", "create", "cli-admin-" + UUID.randomUUID(), "--credits", "10", "--json");
        assertThat(run.code()).as(run.all()).isZero();
        String org = JSON.readTree(run.out()).path("id").asText();

        run = Cli.run(env, "admin", "topup", org, "5", "--reason", "cli test", "--json");
        assertThat(run.code()).as(run.all()).isZero();
        assertThat(JSON.readTree(run.out()).path("available").asDouble()).isEqualTo(15.0);

        run = Cli.run(env, "admin", "keys", "create", org, "--name", "ci");
        assertThat(run.code()).as(run.all()).isZero();
        assertThat(run.out()).containsPattern("secret \\(shown once, store it now\\): clapi_[A-Za-z0-9_-]{64}");

        run = Cli.run(env, "admin", "keys", org, "--json");
        assertThat(run.code()).isZero();
        JsonNode keys = JSON.readTree(run.out()).path("api_keys");
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0).has("key")).isFalse();
        assertThat(run.out()).doesNotContain("clapi_");

        run = Cli.run(env, "admin", "orgs");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains(org);

        run = Cli.run(env, "admin", "providers", "--json");
        assertThat(run.code()).isZero();
        assertThat(JSON.readTree(run.out()).path("providers").size()).isPositive();
        assertThat(Cli.run(env, "admin", "providers").out()).contains("CIRCUIT");

        Map<String, String> wrong = Cli.env(null);
        wrong.put("CASCADE_OPERATOR_TOKEN", "not-the-operator-token-0123456789");
        run = Cli.run(wrong, "admin", "orgs", "--json");
        assertThat(run.code()).isEqualTo(Exit.AUTH);
        assertThat(run.all()).doesNotContain("not-the-operator-token-0123456789");

        run = Cli.run(Cli.env(null), "admin", "orgs");
        assertThat(run.code()).isEqualTo(Exit.AUTH);
        assertThat(run.err()).contains("no operator token is configured");
    }
}

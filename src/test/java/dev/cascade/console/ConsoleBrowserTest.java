package dev.cascade.console;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import dev.cascade.testing.Browser;
import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.Receiver;
import dev.cascade.testing.SlowVendor;
import dev.cascade.testing.VendorStubs;

/**
 * The web console driven in a real headless Chromium against the test gateway: sign in, upload a CSV, watch the
 * progress stream take every batch to 100 %, read results and a trace, download the export, read the delivery log and
 * redeliver to a loopback receiver, cancel a workflow stuck behind slow vendor calls, and the operator pages. Every
 * page is saved as a screenshot under `target/console-screenshots/`; no request leaves the machine and no page breaks
 * its Content-Security-Policy.
 */
@QuarkusTest
class ConsoleBrowserTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private WireMockServer receiver;
    private Browser browser;

    @BeforeEach
    void setUp() {
        receiver = Receiver.start();
        receiver.stubFor(post(urlPathEqualTo("/hook")).willReturn(ok()));
    }

    @AfterEach
    void tearDown() {
        if (browser != null) {
            browser.close();
        }
        receiver.stop();
        // Later tests expect `t-slow` at its usual three seconds.
        SlowVendor.answerSlowly();
    }

    @Test
    void drivesTheConsoleThroughSubmitProgressResultsDeliveriesCancelAndOperatorPages() throws Exception {
        Tenant tenant =
                Gateway.newTenant("console-" + UUID.randomUUID().toString().substring(0, 8));
        String base = "http://localhost:" + RestAssured.port + "/console/";
        browser = new Browser();
        ChromeDriver page = browser.driver();

        // Sign in with the key and the operator token.
        page.get(base);
        waitFor(page, By.id("api-key"));
        browser.screenshot("01-sign-in");
        // By keyboard alone: the page's heading has the focus, then come the key, the token and the button.
        await().atMost(PATIENCE)
                .ignoreExceptions()
                .until(() -> active(page).getText().equals("Sign in"));
        active(page).sendKeys(Keys.TAB);
        assertThat(active(page).getAttribute("id")).isEqualTo("api-key");
        active(page).sendKeys(tenant.key(), Keys.TAB);
        assertThat(active(page).getAttribute("id")).isEqualTo("operator-token");
        active(page).sendKeys(Gateway.ADMIN_TOKEN, Keys.TAB);
        assertThat(active(page).getText()).isEqualTo("Sign in");
        active(page).sendKeys(Keys.ENTER);
        awaitHeading(page, "Workflows");
        assertThat(page.getCurrentUrl()).doesNotContain(tenant.key()).doesNotContain("clapi_");
        assertThat(page.findElement(By.id("who-text")).getText()).contains(tenant.orgId());

        // Upload a CSV of 300 good rows (two batches), one bad row and a column the contract does not know.
        Path csv = Files.createTempFile("contacts-", ".csv");
        StringBuilder text = new StringBuilder("First Name,Last Name,Company Domain,Notes\r\n");
        for (int i = 0; i < 300; i++) {
            text.append("Ada")
                    .append(i)
                    .append(",Lovelace")
                    .append(i)
                    .append(",console")
                    .append(i)
                    .append(".example.com,\"note, with comma\"\r\n");
            if (i == 260) {
                // Markup in a name is data: the results page must show it as text.
                text.append("<i>Ada</i>,Markup,markup.example.com,\r\n");
            }
            if (i == 10) {
                text.append("Nobody,,,missing names\r\n");
            }
        }
        Files.writeString(csv, text);
        page.findElement(By.linkText("Upload CSV")).click();
        awaitHeading(page, "Upload a CSV to enrich");
        page.findElement(By.id("csv-file")).sendKeys(csv.toAbsolutePath().toString());
        waitFor(page, By.id("problems"));
        assertThat(page.findElement(By.id("problems")).getText()).contains("Line 13");
        assertThat(page.findElement(By.id("mapping-box")).getText()).contains("Not recognised: Notes");
        assertThat(page.findElement(By.id("submit-csv")).getText()).isEqualTo("Submit 301 contacts in 2 batches");
        assertEveryControlLabelled(page);
        page.findElement(By.id("webhook-url")).sendKeys("http://127.0.0.1:" + receiver.port() + "/hook");
        page.findElement(By.id("submit-csv")).click();

        // Both batches reach 100 % from the progress stream.
        await().atMost(PATIENCE)
                .ignoreExceptions()
                .until(() ->
                        page.findElements(By.cssSelector("#runs .progress")).size() == 2);
        await().atMost(PATIENCE)
                .ignoreExceptions()
                .until(() -> page.findElements(By.cssSelector("#runs .progress")).stream()
                        .allMatch(p -> "100".equals(p.getAttribute("data-percent"))
                                && p.getAttribute("data-status").startsWith("completed")));
        assertThat(page.findElement(By.id("announce")).getText()).isNotBlank();
        browser.screenshot("02-upload-progress");
        List<String> workflows = page.findElements(By.cssSelector("#runs li a")).stream()
                .map(WebElement::getText)
                .toList();
        assertThat(workflows).hasSize(2);
        assertThat(tenant.workflow(workflows.get(0)).getInt("workflow.total_prospects"))
                .isEqualTo(250);
        assertThat(tenant.workflow(workflows.get(1)).getInt("workflow.total_prospects"))
                .isEqualTo(51);

        // Results with provenance, a trace, and the CSV export downloaded.
        page.findElement(By.linkText(workflows.get(1))).click();
        awaitHeading(page, "Workflow " + workflows.get(1));
        await().atMost(PATIENCE)
                .ignoreExceptions()
                .until(() ->
                        page.findElements(By.cssSelector("#results tbody tr")).size() == 51);
        assertThat(page.findElement(By.id("results")).getText()).contains("<i>Ada</i> Markup");
        assertThat(page.findElements(By.cssSelector("#results i"))).isEmpty();
        page.findElement(By.cssSelector("#results tbody tr button")).click();
        waitFor(page, By.cssSelector("#trace table"));
        browser.screenshot("03-results");
        page.findElement(By.xpath("//button[text()='Download CSV']")).click();
        Path downloaded = browser.downloads().resolve(workflows.get(1) + ".csv");
        await().atMost(PATIENCE).ignoreExceptions().until(() -> Files.exists(downloaded) && Files.size(downloaded) > 0);
        assertThat(Files.readAllLines(downloaded))
                .hasSize(52)
                .first()
                .asString()
                .startsWith("task_id,status");

        // The delivery log, then a redelivery that reaches the receiver a second time.
        page.findElement(By.linkText("Webhook deliveries")).click();
        awaitHeading(page, "Webhook deliveries of " + workflows.get(1));
        await().atMost(PATIENCE).ignoreExceptions().until(() -> {
            page.findElement(By.xpath("//button[text()='Refresh']")).click();
            return page.findElement(By.id("deliveries")).getText().contains("succeeded");
        });
        browser.screenshot("04-deliveries");
        int before = receiver.findAll(postRequestedFor(urlPathEqualTo("/hook"))).size();
        page.findElement(By.id("redeliver")).click();
        await().atMost(PATIENCE)
                .ignoreExceptions()
                .until(() -> page.findElement(By.id("redeliver-note")).getText().startsWith("Redelivered"));
        assertThat(receiver.findAll(postRequestedFor(urlPathEqualTo("/hook"))).size())
                .isGreaterThan(before);
        browser.screenshot("05-redelivered");

        // Cancel a workflow whose tasks wait behind slow vendor calls that fill every waterfall slot.
        String cancelled = blockedWorkflow(tenant);
        page.findElement(By.linkText("Workflows")).click();
        awaitHeading(page, "Workflows");
        waitFor(page, By.linkText(cancelled));
        browser.screenshot("06-workflows");
        page.findElement(By.linkText(cancelled)).click();
        awaitHeading(page, "Workflow " + cancelled);
        page.findElement(By.id("cancel")).click();
        await().atMost(PATIENCE)
                .ignoreExceptions()
                .until(() -> page.findElement(By.id("workflow-note")).getText().startsWith("Cancel requested: 40"));
        await().atMost(PATIENCE)
                .ignoreExceptions()
                .until(() -> "100"
                        .equals(page.findElement(By.cssSelector(".progress")).getAttribute("data-percent")));
        assertThat(tenant.workflow(cancelled).getInt("workflow.failed_prospects"))
                .isEqualTo(40);
        browser.screenshot("07-cancelled");

        // A webhook that keeps failing leaves an event waiting for its retry: the backlog page shows it.
        receiver.stubFor(post(urlPathEqualTo("/down")).willReturn(aResponse().withStatus(503)));
        String failing = tenant.submit(Map.of(
                "webhook_url",
                "http://127.0.0.1:" + receiver.port() + "/down",
                "contacts",
                List.of(Gateway.person(7))));

        // Operator pages: organisations, one organisation's keys, credits and ledger (with a top-up), providers,
        // backlog.
        page.findElement(By.linkText("Organisations")).click();
        awaitHeading(page, "Organisations");
        waitFor(page, By.id("organizations"));
        browser.screenshot("08-organisations");
        page.get(base + "#/admin/orgs/" + tenant.orgId());
        waitFor(page, By.id("ledger"));
        assertThat(page.findElement(By.id("keys")).getText()).contains("active");
        assertEveryControlLabelled(page);
        page.findElement(By.id("top-up-amount")).sendKeys("500");
        page.findElement(By.id("top-up-reason")).sendKeys("console test");
        page.findElement(By.xpath("//button[text()='Add credits']")).click();
        await().atMost(PATIENCE)
                .ignoreExceptions()
                .until(() -> page.findElement(By.id("ledger")).getText().contains("console test"));
        // The page shows the ledger's balance (read again each time: the blockers may still be settling).
        await().atMost(PATIENCE).ignoreExceptions().until(() -> {
            double shown = Double.parseDouble(
                    page.findElement(By.cssSelector("#credits dd")).getText());
            double balance = given().auth()
                    .oauth2(Gateway.ADMIN_TOKEN)
                    .get("/api/v1/admin/organizations/" + tenant.orgId() + "/credits")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getDouble("balance");
            if (shown != balance) {
                page.findElement(By.id("refresh-credits")).click();
            }
            return shown == balance;
        });
        browser.screenshot("09-organisation");
        page.findElement(By.linkText("Providers")).click();
        awaitHeading(page, "Providers");
        waitFor(page, By.id("providers"));
        assertThat(page.findElement(By.id("providers")).getText()).contains("t-slow");
        browser.screenshot("10-providers");
        page.findElement(By.linkText("Webhook backlog")).click();
        awaitHeading(page, "Webhook backlog");
        waitFor(page, By.id("backlog-totals"));
        await().atMost(PATIENCE)
                .ignoreExceptions()
                .until(() -> page.findElements(By.cssSelector("#backlog-totals dd")).stream()
                                .mapToLong(dd -> Long.parseLong(dd.getText()))
                                .sum()
                        >= 1);
        // The failing workflow's own event (its workflow may settle only now, behind the cancel test's slow calls).
        await().atMost(PATIENCE)
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM webhook_events WHERE workflow_id = ?"
                                        + " AND status IN ('pending', 'in_flight')",
                                failing)
                        == 1);
        browser.screenshot("11-backlog");

        // Keyboard: the sign-out button is reachable and signs out; the credentials are gone from the tab.
        String source = page.getPageSource();
        assertThat(source).doesNotContain(tenant.key()).doesNotContain(Gateway.ADMIN_TOKEN);
        page.findElement(By.id("sign-out")).click();
        waitFor(page, By.id("api-key"));
        assertThat(((JavascriptExecutor) page).executeScript("return sessionStorage.length"))
                .isEqualTo(0L);

        List<String> urls = browser.requestedUrls();
        assertThat(urls).isNotEmpty().allMatch(Browser::local, "a loopback URL");
        assertThat(urls).noneMatch(u -> u.contains(tenant.key()) || u.contains(Gateway.ADMIN_TOKEN));
        assertThat(browser.consoleMessages())
                .noneMatch(m -> m.contains("Content Security Policy") || m.contains("Content-Security-Policy"));
    }

    @Test
    void consoleAnswersCarryTheSecurityHeaders() {
        for (String path : List.of("/console/", "/console/js/app.js", "/console/console.css")) {
            Response response = given().redirects().follow(false).get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.header("Content-Security-Policy"))
                    .as(path)
                    .contains("default-src 'self'")
                    .contains("script-src 'self'")
                    .contains("style-src 'self'")
                    .contains("connect-src 'self'")
                    .contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline");
            assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(response.header("Referrer-Policy")).isEqualTo("no-referrer");
        }
        Response bare = given().redirects().follow(false).get("/console");
        assertThat(bare.statusCode()).isEqualTo(302);
        assertThat(bare.header("Location")).endsWith("/console/");
        String index = given().get("/console/").asString();
        assertThat(index).doesNotContain("<script>").doesNotContain("style=").doesNotContain("clapi_");
    }

    /**
     * A workflow of 40 contacts whose tasks wait unstarted: two blockers of slow `t-slow` calls (six seconds each)
     * hold every one of the waterfall's 256 slots first.
     */
    private String blockedWorkflow(Tenant tenant) {
        SlowVendor.answerSlowly();
        VendorStubs.server()
                .stubFor(get(urlPathEqualTo("/slow/v2/email-finder"))
                        .willReturn(aResponse()
                                .withStatus(200)
                                .withHeader("Content-Type", "application/json")
                                .withBody(
                                        "{\"data\":{\"email\":null,\"score\":null,\"verification\":{\"status\":null}},"
                                                + "\"meta\":{}}")
                                .withFixedDelay(6000)));
        String blockerA = tenant.submit(Map.of("waterfall", SlowVendor.WATERFALL, "contacts", contacts(0, 250)));
        String blockerB = tenant.submit(Map.of("waterfall", SlowVendor.WATERFALL, "contacts", contacts(300, 20)));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Gateway.count(
                                "SELECT count(*) FROM tasks WHERE workflow_id IN (?, ?) AND status = 'running'",
                                blockerA,
                                blockerB)
                        >= 256);
        return tenant.submit(Map.of("waterfall", SlowVendor.WATERFALL, "contacts", contacts(1000, 40)));
    }

    private static List<Map<String, Object>> contacts(int from, int count) {
        return new ArrayList<>(
                IntStream.range(from, from + count).mapToObj(Gateway::person).toList());
    }

    private static WebElement active(ChromeDriver page) {
        return page.switchTo().activeElement();
    }

    /** Every input and select of the page has a label (a label element or an aria-label). */
    private static void assertEveryControlLabelled(ChromeDriver page) {
        Object unlabelled = page.executeScript("return [...document.querySelectorAll('input, select, textarea')]"
                + ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.id || e.name)");
        assertThat((List<?>) unlabelled).isEmpty();
    }

    private static void awaitHeading(ChromeDriver page, String text) {
        await().atMost(PATIENCE)
                .ignoreExceptions()
                .ignoreExceptions()
                .until(() -> page.findElement(By.tagName("h1")).getText().equals(text));
    }

    private static void waitFor(ChromeDriver page, By by) {
        await().atMost(PATIENCE)
                .ignoreExceptions()
                .ignoreExceptions()
                .until(() -> page.findElements(by).size() > 0);
    }
}

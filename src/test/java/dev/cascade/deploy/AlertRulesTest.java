package dev.cascade.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The alert rules of the prod overlay's PrometheusRule: `promtool check rules` accepts them (Debian's `prometheus`
 * package, which .ci/run installs; required when CI is set), each is well-formed, and each has its runbook section.
 */
class AlertRulesTest {
    private static final Path RUNBOOKS = Manifests.ROOT.resolve("docs/operations/runbooks.md");

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Optional<String> promtool = onPath("promtool");
        if (System.getenv("CI") != null) {
            assertThat(promtool)
                    .as("promtool (Debian package prometheus; .ci/run installs it)")
                    .isPresent();
        }
        assumeThat(promtool)
                .as("promtool not installed; the parser checks below still run")
                .isPresent();
        Path file = Files.createTempFile("cascade-rules", ".yaml");
        ObjectNode rules = Manifests.YAML.createObjectNode();
        rules.set("groups", rule().path("spec").path("groups"));
        Manifests.YAML.writeValue(file.toFile(), rules);
        Process process = new ProcessBuilder(promtool.get(), "check", "rules", file.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS");
        Files.deleteIfExists(file);
    }

    @Test
    void everyAlertIsWellFormedAndHasItsRunbookSection() throws IOException {
        String runbooks = Files.readString(RUNBOOKS, StandardCharsets.UTF_8);
        List<String> headings = new ArrayList<>();
        Matcher h = Pattern.compile("(?m)^## (\\S+)\\s*$").matcher(runbooks);
        while (h.find()) {
            headings.add(h.group(1));
        }
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : rule().path("spec").path("groups")) {
            assertThat(group.path("name").asText()).isNotBlank();
            for (JsonNode r : group.path("rules")) {
                String alert = r.path("alert").asText();
                alerts.add(alert);
                assertThat(alert).matches("Cascade[A-Za-z0-9]+");
                assertThat(r.path("expr").asText()).as(alert).isNotBlank();
                assertThat(PromQl.metricNames(r.path("expr").asText()))
                        .as(alert)
                        .isNotEmpty();
                if (r.has("for")) {
                    assertThat(r.path("for").asText()).as(alert).matches("[0-9]+[smh]");
                }
                assertThat(r.path("labels").path("severity").asText()).as(alert).isIn("warning", "critical");
                assertThat(r.path("annotations").path("summary").asText())
                        .as(alert)
                        .isNotBlank();
                assertThat(r.path("annotations").path("runbook_url").asText())
                        .as(alert)
                        .isEqualTo("docs/operations/runbooks.md#" + alert.toLowerCase(Locale.ROOT));
                assertThat(headings)
                        .as("runbook section for %s in %s", alert, RUNBOOKS)
                        .contains(alert);
            }
        }
        assertThat(alerts)
                .contains(
                        "CascadeConsumerLagHigh",
                        "CascadeDeadLetters",
                        "CascadeWebhookBacklog",
                        "CascadeWebhooksExhausted",
                        "CascadeProviderBreakerOpen",
                        "CascadeLedgerHoldOld",
                        "CascadeHttp5xx")
                .doesNotHaveDuplicates();
    }

    @Test
    void metricNamesAreReadFromExpressions() {
        assertThat(PromQl.metricNames(
                        "sum by (namespace, topic) (rate(a_total{topic=~\"x|y\"}[5m])) / on (x) b_seconds_count > 0.5"))
                .containsExactly("a_total", "b_seconds_count");
        assertThat(
                        PromQl.metricNames(
                                "histogram_quantile(0.95, sum by (le) (rate(c_bucket{namespace=~\"$namespace\"}[$__rate_interval])))"))
                .containsExactly("c_bucket");
        assertThat(PromQl.base("c_seconds_bucket")).isEqualTo("c_seconds");
    }

    static JsonNode rule() {
        return Manifests.rendered("prod").stream()
                .filter(o -> o.path("kind").asText().equals("PrometheusRule"))
                .findFirst()
                .orElseThrow();
    }

    private static Optional<String> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }
}

package dev.cascade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;

/**
 * The launcher in a pseudo-terminal (util-linux `script`), as a user at a terminal runs it: the progress bar is redrawn
 * in place with carriage returns and its last frame shows 100 %.
 */
@QuarkusTest
class CascadeProgressBarTest {
    @TempDir
    Path dir;

    @Test
    void theBarIsRedrawnInPlaceAndReachesOneHundredPercent() throws IOException, InterruptedException {
        Tenant tenant = Gateway.newTenant("cli-tty-" + UUID.randomUUID());
        Path in = Cli.people(dir, "contacts.csv", 300);
        Path out = dir.resolve("results.csv");
        Path launcher = Path.of("scripts/cascade").toAbsolutePath();
        String command = launcher + " enrich " + in + " --type full --ignore-unknown-columns --out " + out;

        ProcessBuilder builder = new ProcessBuilder("script", "-qfec", command, "/dev/null");
        builder.environment().put("CASCADE_URL", Cli.url());
        builder.environment().put("CASCADE_API_KEY", tenant.key());
        // The compiled classes, not a jar a previous `package` may have left: this is the code under test.
        builder.environment().put("CASCADE_CLI_JAR", dir.resolve("no-such.jar").toString());
        builder.environment().put("CASCADE_CLI_CLASSPATH", Cli.classPath());
        builder.environment().put("HOME", dir.toString());
        builder.redirectErrorStream(true);
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        Path transcript = dir.resolve("transcript.txt");
        builder.redirectOutput(transcript.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).isTrue();
        String text = Files.readString(transcript, StandardCharsets.UTF_8);
        // Kept for the docs' recorded session (docs/cli.md): what the terminal received, carriage returns included.
        Files.writeString(Path.of("target/cli-session.txt"), text, StandardCharsets.UTF_8);

        assertThat(process.exitValue()).as(text).isZero();
        List<String> frames = new ArrayList<>();
        for (String part : text.split("\r")) {
            if (part.startsWith("[")) {
                frames.add(part.split("\n")[0]);
            }
        }
        assertThat(frames).as(text).hasSizeGreaterThan(1);
        assertThat(frames.get(frames.size() - 1))
                .matches(
                        "\\[#{30}\\] 100% 300/300 contacts \\| \\d+ emails \\| \\d+ phones \\| \\d+ credits \\| ETA 0:00 *");
        assertThat(frames).allMatch(f -> f.matches("\\[[#.]{30}\\] +\\d{1,3}% \\d+/300 contacts .*"));
        assertThat(text).doesNotContain("progress: ").doesNotContain(tenant.key());
        assertThat(text).contains("wrote 300 rows to " + out);
        assertThat(out).exists();
        Files.write(
                Path.of("target/cli-session-results.csv"),
                Files.readAllLines(out, StandardCharsets.UTF_8).subList(0, 3),
                StandardCharsets.UTF_8);
    }
}

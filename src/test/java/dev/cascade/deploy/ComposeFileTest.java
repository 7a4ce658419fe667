package dev.cascade.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/compose/compose.yaml} cannot run here (no Docker engine), so it is parsed: the services are there, the
 * files it builds from and mounts exist, and every environment variable of the gateway service is a setting the
 * gateway knows — a Quarkus setting of an extension on the classpath (its config model), a Cascade setting of
 * {@code application.properties} or docs/configuration.md, or a variable application.properties reads.
 */
class ComposeFileTest {
    private static final Path DIR = Manifests.ROOT.resolve("deploy/compose");
    /** Read by the container image's launcher (deploy/container/Dockerfile.jvm), not by the gateway's configuration. */
    private static final Set<String> IMAGE_VARIABLES = Set.of("JAVA_OPTS", "JAVA_OPTS_APPEND", "MALLOC_ARENA_MAX");
    /** Read by Quarkus before any config root (the profile). */
    private static final Set<String> QUARKUS_SPECIAL = Set.of("QUARKUS_PROFILE");

    @Test
    void theComposeFileHasTheStackAndEveryFileItUses() throws IOException {
        JsonNode compose = compose();
        JsonNode services = compose.path("services");
        assertThat(services.has("kafka") && services.has("postgres") && services.has("gateway"))
                .isTrue();
        assertThat(services.path("kafka")
                        .path("environment")
                        .path("KAFKA_PROCESS_ROLES")
                        .asText())
                .isEqualTo("broker,controller");
        JsonNode build = services.path("gateway").path("build");
        Path context = DIR.resolve(build.path("context").asText()).normalize();
        assertThat(context.resolve(build.path("dockerfile").asText())).isRegularFile();
        assertThat(build.path("dockerfile").asText()).isEqualTo("deploy/container/Dockerfile.jvm");
        for (String optional : List.of("prometheus", "grafana")) {
            assertThat(services.path(optional).path("profiles").toString()).contains("monitoring");
        }
        // Every file a service mounts from the repository exists; the dashboard is the one the tests check.
        List<String> mounts = new ArrayList<>();
        services.forEach(service -> service.path("volumes").forEach(v -> mounts.add(v.asText())));
        for (String mount : mounts) {
            String source = mount.split(":")[0];
            if (source.startsWith(".")) {
                assertThat(DIR.resolve(source).normalize()).as(mount).isRegularFile();
            }
        }
        assertThat(mounts).anyMatch(m -> m.startsWith("../grafana/cascade-gateway.json:"));
        String prometheus = Files.readString(DIR.resolve("prometheus.yml"), StandardCharsets.UTF_8);
        assertThat(prometheus).contains("metrics_path: /q/metrics").contains("gateway:9000");
    }

    @Test
    void everyGatewayVariableIsASettingTheGatewayKnows() throws IOException {
        Set<String> known = knownVariables();
        List<String> unknown = new ArrayList<>();
        compose()
                .path("services")
                .path("gateway")
                .path("environment")
                .fieldNames()
                .forEachRemaining(name -> {
                    if (!known.contains(name)) {
                        unknown.add(name);
                    }
                });
        assertThat(unknown)
                .as("variables of deploy/compose/compose.yaml the gateway does not read")
                .isEmpty();
        // The check itself refuses a misspelt name.
        assertThat(known).contains("CASCADE_DB_HOST", "QUARKUS_SHUTDOWN_TIMEOUT", "QUARKUS_FLYWAY_MIGRATE_AT_START");
        assertThat(known).doesNotContain("CASCADE_DB_HOTS", "QUARKUS_SHUTDOWN_TIMEOUTS");
    }

    private static JsonNode compose() throws IOException {
        return Manifests.YAML.readTree(DIR.resolve("compose.yaml").toFile());
    }

    /** Environment names of every setting the gateway knows. */
    static Set<String> knownVariables() throws IOException {
        Set<String> known = new HashSet<>(IMAGE_VARIABLES);
        known.addAll(QUARKUS_SPECIAL);
        // Quarkus: the config model every extension jar ships (environment variable of each runtime setting).
        Pattern env = Pattern.compile("\"environmentVariable\"\\s*:\\s*\"([A-Z0-9_]+)\"");
        Enumeration<URL> models = ComposeFileTest.class
                .getClassLoader()
                .getResources("META-INF/quarkus-config-doc/quarkus-config-model.json");
        int jars = 0;
        while (models.hasMoreElements()) {
            jars++;
            try (InputStream in = models.nextElement().openStream()) {
                Matcher m = env.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                while (m.find()) {
                    known.add(m.group(1));
                }
            }
        }
        assertThat(jars).as("Quarkus config models on the classpath").isGreaterThan(5);
        // Cascade: keys of application.properties, the variables it reads, and the keys docs/configuration.md lists.
        String properties = Files.readString(
                Manifests.ROOT.resolve("src/main/resources/application.properties"), StandardCharsets.UTF_8);
        Matcher ref = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(properties);
        while (ref.find()) {
            known.add(ref.group(1));
        }
        Matcher key =
                Pattern.compile("(?m)^#?(?:%[a-z]+\\.)?([a-z][a-z0-9.\\-]*)=").matcher(properties);
        while (key.find()) {
            known.add(variable(key.group(1)));
        }
        String docs = Files.readString(Manifests.ROOT.resolve("docs/configuration.md"), StandardCharsets.UTF_8);
        Matcher documented = Pattern.compile("`(cascade\\.[a-z0-9.\\-]+)`").matcher(docs);
        while (documented.find()) {
            known.add(variable(documented.group(1)));
        }
        Matcher listed = Pattern.compile("`([A-Z][A-Z0-9_]+)`").matcher(docs);
        while (listed.find()) {
            known.add(listed.group(1));
        }
        return known;
    }

    private static String variable(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}

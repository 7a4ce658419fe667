package dev.cascade.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The repository's deployment files as the tests see them: {@code k8s/} overlays rendered by {@code kubectl
 * kustomize} (the binary on PATH, or {@code KUBECTL}; `.ci/run` installs it where missing), parsed into JSON trees.
 */
final class Manifests {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path OVERLAYS = ROOT.resolve("k8s/overlays");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Manifests() {}

    /** Every overlay directory under k8s/overlays (dev, prod). */
    static List<Path> overlays() {
        try (Stream<Path> dirs = Files.list(OVERLAYS)) {
            List<Path> found = dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
                    .sorted()
                    .toList();
            assertThat(found).as("overlays under %s", OVERLAYS).isNotEmpty();
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The kubectl binary, or a failure saying how to get one. */
    static String kubectl() {
        Optional<String> configured =
                Optional.ofNullable(System.getenv("KUBECTL")).filter(s -> !s.isBlank());
        if (configured.isPresent()) {
            return configured.get();
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "kubectl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail("kubectl is not installed (needed to render k8s/ with `kubectl kustomize`): run .ci/run, which"
                + " installs it, or put kubectl 1.27+ on PATH, or set KUBECTL to its path");
    }

    /** `kubectl kustomize <overlay>`: the rendered YAML; fails the test with kubectl's message on any error. */
    static String render(Path overlay) {
        try {
            Path out = Files.createTempFile("kustomize", ".yaml");
            Path err = Files.createTempFile("kustomize", ".err");
            Process process = new ProcessBuilder(kubectl(), "kustomize", overlay.toString())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("kubectl kustomize " + overlay + " did not finish in 120 s");
            }
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertThat(process.exitValue())
                    .as("kubectl kustomize %s failed: %s", ROOT.relativize(overlay), stderr)
                    .isZero();
            String yaml = Files.readString(out, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return yaml;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The objects of a multi-document YAML stream (empty documents skipped). */
    static List<ObjectNode> objects(String yaml) {
        try {
            List<ObjectNode> objects = new ArrayList<>();
            var parser = YAML.getFactory().createParser(yaml);
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node instanceof ObjectNode object && !object.isEmpty()) {
                    objects.add(object);
                }
            }
            return objects;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<ObjectNode> rendered(String overlay) {
        return objects(render(OVERLAYS.resolve(overlay)));
    }

    static String id(JsonNode object) {
        return object.path("apiVersion").asText() + " " + object.path("kind").asText() + " "
                + object.path("metadata").path("name").asText();
    }
}

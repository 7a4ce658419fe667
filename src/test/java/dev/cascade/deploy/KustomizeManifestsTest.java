package dev.cascade.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every overlay of {@code k8s/} renders with {@code kubectl kustomize}, every object it renders validates offline
 * against its schema ({@link KubernetesSchemas}), and the rendered objects keep the rules of docs/operations.md: one
 * labelled, hardened, probed pod shape; no replica count where an autoscaler owns it; never more workers than
 * partitions; settings that roll the pods; a migration Job under its own database role in prod.
 */
class KustomizeManifestsTest {
    private static final List<String> LABELS = List.of(
            "app.kubernetes.io/name",
            "app.kubernetes.io/component",
            "app.kubernetes.io/part-of",
            "app.kubernetes.io/version",
            "app.kubernetes.io/managed-by");

    static Stream<Path> overlays() {
        return Manifests.overlays().stream();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyOverlayRendersAndEveryObjectValidatesAgainstItsSchema(Path overlay) {
        List<ObjectNode> objects = Manifests.objects(Manifests.render(overlay));
        assertThat(objects).isNotEmpty();
        List<String> errors = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (ObjectNode object : objects) {
            String id = Manifests.id(object);
            assertThat(ids.add(id)).as("rendered twice: %s", id).isTrue();
            KubernetesSchemas.errors(object).forEach(e -> errors.add(id + ": " + e));
            for (String label : LABELS) {
                if (object.path("metadata").path("labels").path(label).asText().isEmpty()) {
                    errors.add(id + ": no label " + label);
                }
            }
            if (!object.path("kind").asText().equals("Namespace")
                    && !object.path("metadata").path("namespace").asText().equals("cascade")) {
                errors.add(id + ": not in namespace cascade");
            }
        }
        assertThat(errors).as("%s", Manifests.ROOT.relativize(overlay)).isEmpty();
    }

    @Test
    void theValidationRefusesWhatItShould() {
        ObjectNode deployment = Manifests.rendered("dev").stream()
                .filter(o -> o.path("kind").asText().equals("Deployment"))
                .findFirst()
                .orElseThrow();
        assertThat(KubernetesSchemas.errors(deployment)).isEmpty();
        ObjectNode misspelt = deployment.deepCopy();
        ((ObjectNode) misspelt.path("spec").path("template").path("spec")).put("enableServiceLink", false);
        assertThat(KubernetesSchemas.errors(misspelt))
                .singleElement()
                .asString()
                .contains("enableServiceLink");
        ObjectNode wrongType = deployment.deepCopy();
        ((ObjectNode) wrongType.path("spec")).put("minReadySeconds", "ten");
        assertThat(KubernetesSchemas.errors(wrongType)).isNotEmpty();

        ObjectNode topic = Manifests.rendered("prod").stream()
                .filter(o -> o.path("kind").asText().equals("KafkaTopic"))
                .findFirst()
                .orElseThrow();
        assertThat(KubernetesSchemas.errors(topic)).isEmpty();
        ObjectNode badTopic = topic.deepCopy();
        ((ObjectNode) badTopic.path("spec")).put("partition", 3);
        assertThat(KubernetesSchemas.errors(badTopic)).isNotEmpty();
        ObjectNode unknownKind = topic.deepCopy().put("kind", "KafkaTopics");
        assertThat(KubernetesSchemas.errors(unknownKind))
                .singleElement()
                .asString()
                .contains("no schema");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyGatewayPodIsHardenedProbedAndDrainedInTime(Path overlay) {
        List<ObjectNode> objects = Manifests.objects(Manifests.render(overlay));
        Map<String, String> config = configMap(objects);
        List<ObjectNode> deployments = kind(objects, "Deployment");
        assertThat(deployments).isNotEmpty();
        for (ObjectNode deployment : deployments) {
            String id = Manifests.id(deployment);
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            assertThat(pod.path("enableServiceLinks").asBoolean(true)).as(id).isFalse();
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true))
                    .as(id)
                    .isFalse();
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean())
                    .as(id)
                    .isTrue();
            assertThat(pod.path("securityContext")
                            .path("seccompProfile")
                            .path("type")
                            .asText())
                    .as(id)
                    .isEqualTo("RuntimeDefault");
            assertThat(pod.path("topologySpreadConstraints")).as(id).isNotEmpty();
            JsonNode container = pod.path("containers").get(0);
            JsonNode security = container.path("securityContext");
            assertThat(security.path("readOnlyRootFilesystem").asBoolean())
                    .as(id)
                    .isTrue();
            assertThat(security.path("allowPrivilegeEscalation").asBoolean(true))
                    .as(id)
                    .isFalse();
            assertThat(security.path("capabilities").path("drop").toString())
                    .as(id)
                    .isEqualTo("[\"ALL\"]");
            assertThat(container.path("volumeMounts").toString()).as(id).contains("\"mountPath\":\"/tmp\"");
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                JsonNode get = container.path(probe).path("httpGet");
                assertThat(get.path("port").asText()).as(id + " " + probe).isEqualTo("management");
                assertThat(get.path("path").asText()).as(id + " " + probe).startsWith("/q/health/");
            }
            List<String> ports = new ArrayList<>();
            container.path("ports").forEach(p -> ports.add(p.path("name").asText() + ":" + p.path("containerPort")));
            assertThat(ports).as(id).contains("management:9000");
            for (String kind : List.of("requests", "limits")) {
                assertThat(container.path("resources").path(kind).path("cpu").asText())
                        .as(id)
                        .isNotEmpty();
                assertThat(container.path("resources").path(kind).path("memory").asText())
                        .as(id)
                        .isNotEmpty();
            }
            Map<String, String> env = env(container);
            assertThat(env).as(id).doesNotContainKey("JAVA_OPTS").containsKey("JAVA_OPTS_APPEND");
            assertThat(env.get("JAVA_OPTS_APPEND"))
                    .as("%s: the image's flags are repeated", id)
                    .contains("-XX:SharedArchiveFile=/deployments/app-cds.jsa")
                    .contains("-Dquarkus.management.host=0.0.0.0");
            assertThat(env.get("CASCADE_ROLES")).as(id).isNotBlank();
            // Drain: preStop sleep + QUARKUS_SHUTDOWN_TIMEOUT fit inside the grace period.
            long grace = pod.path("terminationGracePeriodSeconds").asLong();
            long shutdown = seconds(config.get("QUARKUS_SHUTDOWN_TIMEOUT"));
            long preStop = container
                                    .path("lifecycle")
                                    .path("preStop")
                                    .path("exec")
                                    .path("command")
                                    .size()
                            == 2
                    ? Long.parseLong(container
                            .path("lifecycle")
                            .path("preStop")
                            .path("exec")
                            .path("command")
                            .get(1)
                            .asText())
                    : 0;
            assertThat(grace).as(id).isGreaterThanOrEqualTo(60).isGreaterThan(preStop + shutdown);
            // envFrom names the generated (hashed) ConfigMap, so a changed setting rolls the pods.
            List<String> refs = new ArrayList<>();
            container.path("envFrom").forEach(ref -> {
                if (ref.has("configMapRef")) {
                    refs.add(ref.path("configMapRef").path("name").asText());
                }
            });
            assertThat(refs).as(id).singleElement().asString().matches("cascade-gateway-config-[a-z0-9]{10}");
            assertThat(refs.get(0)).isEqualTo(name(kind(objects, "ConfigMap").get(0)));
        }
        // Every PodDisruptionBudget selects pods of a Deployment.
        for (ObjectNode pdb : kind(objects, "PodDisruptionBudget")) {
            JsonNode selector = pdb.path("spec").path("selector").path("matchLabels");
            assertThat(deployments.stream()
                            .anyMatch(d -> d.path("spec")
                                    .path("selector")
                                    .path("matchLabels")
                                    .equals(selector)))
                    .as(Manifests.id(pdb))
                    .isTrue();
        }
    }

    @Test
    void devRunsOneAllRolesReplicaThatMigratesAtStart() {
        List<ObjectNode> objects = Manifests.rendered("dev");
        List<ObjectNode> deployments = kind(objects, "Deployment");
        assertThat(deployments).singleElement();
        ObjectNode gateway = deployments.get(0);
        assertThat(gateway.path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(env(gateway.path("spec")
                        .path("template")
                        .path("spec")
                        .path("containers")
                        .get(0)))
                .containsEntry("CASCADE_ROLES", "all");
        assertThat(configMap(objects)).containsEntry("QUARKUS_FLYWAY_MIGRATE_AT_START", "true");
        assertThat(kind(objects, "HorizontalPodAutoscaler")).isEmpty();
        assertThat(kind(objects, "Job")).isEmpty();
    }

    @Test
    void prodSplitsApiAndWorkersAndLetsTheAutoscalersOwnTheCounts() {
        List<ObjectNode> objects = Manifests.rendered("prod");
        Map<String, ObjectNode> deployments = new HashMap<>();
        kind(objects, "Deployment").forEach(d -> deployments.put(name(d), d));
        assertThat(deployments).containsOnlyKeys("cascade-gateway", "cascade-worker");
        assertThat(env(container(deployments.get("cascade-gateway")))).containsEntry("CASCADE_ROLES", "api");
        assertThat(env(container(deployments.get("cascade-worker"))))
                .containsEntry("CASCADE_ROLES", "waterfall,aggregator,webhooks");
        assertThat(image(deployments.get("cascade-gateway"))).isEqualTo(image(deployments.get("cascade-worker")));

        // Exactly one autoscaler per Deployment, and no spec.replicas beside it.
        Map<String, Integer> scaledBy = new HashMap<>();
        kind(objects, "HorizontalPodAutoscaler")
                .forEach(h -> scaledBy.merge(
                        h.path("spec").path("scaleTargetRef").path("name").asText(), 1, Integer::sum));
        List<ObjectNode> scaledObjects = kind(objects, "ScaledObject");
        scaledObjects.forEach(s -> scaledBy.merge(
                s.path("spec").path("scaleTargetRef").path("name").asText(), 1, Integer::sum));
        assertThat(scaledBy).containsEntry("cascade-gateway", 1).containsEntry("cascade-worker", 1);
        deployments
                .values()
                .forEach(d -> assertThat(d.path("spec").has("replicas"))
                        .as(Manifests.id(d))
                        .isFalse());
        assertThat(kind(objects, "HorizontalPodAutoscaler")
                        .get(0)
                        .path("spec")
                        .path("metrics")
                        .toString())
                .contains("\"name\":\"cpu\"");

        // KEDA: the two groups' lag; never more workers than the partitions of a topic they consume.
        Map<String, Integer> partitions = new HashMap<>();
        kind(objects, "KafkaTopic")
                .forEach(t -> partitions.put(
                        name(t), t.path("spec").path("partitions").asInt()));
        ObjectNode scaled = scaledObjects.get(0);
        Set<String> groups = new HashSet<>();
        for (JsonNode trigger : scaled.path("spec").path("triggers")) {
            assertThat(trigger.path("type").asText()).isEqualTo("kafka");
            String topic = trigger.path("metadata").path("topic").asText();
            groups.add(trigger.path("metadata").path("consumerGroup").asText());
            assertThat(partitions).containsKey(topic);
            assertThat(scaled.path("spec").path("maxReplicaCount").asInt())
                    .as("workers vs partitions of %s", topic)
                    .isLessThanOrEqualTo(partitions.get(topic));
        }
        assertThat(groups).containsExactlyInAnyOrder("cascade-waterfall", "cascade-aggregator");
    }

    @Test
    void prodMigratesOnceInAJobUnderItsOwnDatabaseRole() {
        List<ObjectNode> objects = Manifests.rendered("prod");
        Map<String, String> config = configMap(objects);
        assertThat(config)
                .containsEntry("QUARKUS_FLYWAY_MIGRATE_AT_START", "false")
                .containsEntry("QUARKUS_LOG_CONSOLE_JSON", "true");
        ObjectNode job = kind(objects, "Job").get(0);
        JsonNode migrate = job.path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0);
        Map<String, String> env = env(migrate);
        assertThat(env)
                .containsEntry("QUARKUS_INIT_AND_EXIT", "true")
                .containsEntry("QUARKUS_FLYWAY_MIGRATE_AT_START", "true")
                .containsEntry("CASCADE_DB_HOST", "cascade-pg-rw");
        assertThat(migrate.path("image").asText())
                .isEqualTo(image(kind(objects, "Deployment").get(0)));
        String jobRole = secretOf(migrate, "CASCADE_DB_USER");
        for (ObjectNode deployment : kind(objects, "Deployment")) {
            assertThat(secretOf(container(deployment), "CASCADE_DB_USER"))
                    .as("the pods' database role differs from the migration's")
                    .isNotEqualTo(jobRole);
        }
    }

    @Test
    void prodKafkaUsersGrantEachRoleWhatItReadsAndWrites() {
        Map<String, String> acls = new HashMap<>();
        for (ObjectNode user : kind(Manifests.rendered("prod"), "KafkaUser")) {
            List<String> grants = new ArrayList<>();
            user.path("spec")
                    .path("authorization")
                    .path("acls")
                    .forEach(acl -> grants.add(acl.path("resource").path("type").asText() + ":"
                            + acl.path("resource").path("name").asText() + "=" + acl.path("operations")));
            acls.put(name(user), String.join(" ", grants));
        }
        assertThat(acls.get("cascade-api"))
                .contains("topic:enrichment.tasks=[\"Write\",\"Describe\"]")
                .doesNotContain("group:");
        assertThat(acls.get("cascade-worker"))
                .contains("topic:enrichment.tasks=[\"Read\",\"Describe\"]")
                .contains("group:cascade-waterfall=[\"Read\"]")
                .contains("group:cascade-aggregator=[\"Read\"]")
                .contains("topic:enrichment.tasks.dlq=[\"Write\",\"Describe\"]");
        assertThat(acls.get("cascade-keda")).doesNotContain("Read").doesNotContain("Write");
    }

    @Test
    void egressNeverReachesClusterRangesOrTheMetadataService() {
        for (String overlay : List.of("dev", "prod")) {
            List<ObjectNode> objects = Manifests.rendered(overlay);
            String bootstrap = configMap(objects).get("KAFKA_BOOTSTRAP_SERVERS");
            String kafkaPort = bootstrap.substring(bootstrap.lastIndexOf(':') + 1);
            ObjectNode policy = kind(objects, "NetworkPolicy").stream()
                    .filter(p -> name(p).equals("cascade-gateway"))
                    .findFirst()
                    .orElseThrow();
            String egress = policy.path("spec").path("egress").toString();
            assertThat(egress)
                    .contains("\"cidr\":\"0.0.0.0/0\"")
                    .contains("\"10.0.0.0/8\"", "\"172.16.0.0/12\"", "\"192.168.0.0/16\"", "\"169.254.0.0/16\"")
                    .doesNotContain("\"port\":80}");
            // The pods may reach the broker port they are configured with, and so may KEDA's scaler ask it.
            List<String> kafkaPorts = new ArrayList<>();
            policy.path("spec").path("egress").forEach(rule -> {
                if (rule.path("to").toString().contains("\"strimzi.io/kind\":\"Kafka\"")) {
                    rule.path("ports")
                            .forEach(port -> kafkaPorts.add(port.path("port").asText()));
                }
            });
            assertThat(kafkaPorts).as(overlay).containsExactly(kafkaPort);
            kind(objects, "ScaledObject")
                    .forEach(scaled -> scaled.path("spec")
                            .path("triggers")
                            .forEach(t -> assertThat(t.path("metadata")
                                            .path("bootstrapServers")
                                            .asText())
                                    .isEqualTo(bootstrap)));
        }
    }

    private static List<ObjectNode> kind(List<ObjectNode> objects, String kind) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind))
                .toList();
    }

    private static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    private static JsonNode container(JsonNode deployment) {
        return deployment
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0);
    }

    private static String image(JsonNode deployment) {
        return container(deployment).path("image").asText();
    }

    private static Map<String, String> configMap(List<ObjectNode> objects) {
        List<ObjectNode> maps = kind(objects, "ConfigMap");
        assertThat(maps).singleElement();
        Map<String, String> data = new HashMap<>();
        maps.get(0)
                .path("data")
                .properties()
                .forEach(e -> data.put(e.getKey(), e.getValue().asText()));
        return data;
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        container
                .path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
        return env;
    }

    private static String secretOf(JsonNode container, String variable) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(variable)) {
                return e.path("valueFrom").path("secretKeyRef").path("name").asText();
            }
        }
        return "";
    }

    private static long seconds(String duration) {
        assertThat(duration).matches("[0-9]+s");
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }
}

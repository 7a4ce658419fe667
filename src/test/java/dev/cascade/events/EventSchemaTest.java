package dev.cascade.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import dev.cascade.testing.Gateway;
import dev.cascade.testing.Gateway.Tenant;
import dev.cascade.testing.KafkaClients;

/**
 * The published event contract (API §8, {@code docs/events/}) against what the gateway really writes: every record of
 * a workflow of each enrichment type validates against its JSON Schema, carries the CloudEvents headers and the key
 * of the contract, and a plain consumer in its own group sees one result per settled task and one `completed` record
 * once it de-duplicates on {@code ce_id}. The AsyncAPI document is checked to parse and to point only at files that
 * exist.
 */
@QuarkusTest
class EventSchemaTest {
    private static final String TASKS = "enrichment.tasks";
    private static final String RESULTS = "enrichment.results";
    private static final String WORKFLOWS = "enrichment.workflows";
    private static final List<String> TYPES = List.of("none", "partial", "phone_only", "full", "prospecting_only");
    private static final Map<String, String> SCHEMA_BY_TOPIC =
            Map.of(TASKS, "task.schema.json", RESULTS, "result.schema.json", WORKFLOWS, "workflow.schema.json");
    private static final JsonMapper JSON = JsonMapper.shared();

    @Test
    void everyRecordOfAWorkflowOfEachTypeMatchesThePublishedSchemasHeadersAndKeys() {
        Tenant tenant = Gateway.newTenant("schemas-" + UUID.randomUUID());
        Map<String, String> typeByWorkflow = new LinkedHashMap<>();
        Map<String, List<String>> tasksByWorkflow = new LinkedHashMap<>();
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer("schema-test", "latest")) {
            consumer.subscribe(List.of(TASKS, RESULTS, WORKFLOWS));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return !consumer.assignment().isEmpty();
            });
            consumer.seekToEnd(consumer.assignment());
            consumer.assignment().forEach(consumer::position);
            for (String type : TYPES) {
                JsonPath answer = tenant.submitForBody(Map.of(
                        "enrichment_type", type, "contacts", contacts(type), "custom", Map.of("team", "schema-test")));
                typeByWorkflow.put(answer.getString("workflow_id"), type);
                tasksByWorkflow.put(answer.getString("workflow_id"), answer.getList("task_ids", String.class));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (tenant.orgId().equals(header(record, "org_id"))) {
                        seen.add(record);
                    }
                }
                return tasksByWorkflow.entrySet().stream()
                        .allMatch(w -> distinctIds(seen, RESULTS, w.getKey()).size()
                                        == w.getValue().size()
                                && distinctIds(seen, WORKFLOWS, w.getKey()).contains(w.getKey() + ":completed"));
            });
        }

        for (ConsumerRecord<String, String> record : seen) {
            String where = record.topic() + " " + record.value();
            assertThat(EventSchemas.errors(SCHEMA_BY_TOPIC.get(record.topic()), record.value()))
                    .as(where)
                    .isEmpty();
            assertThat(EventSchemas.headerErrors("cloudevents-headers.schema.json", record.headers()))
                    .as(where + " " + EventSchemas.headersAsJson(record.headers()))
                    .isEmpty();
            JsonNode value = JSON.readTree(record.value());
            String ceId = header(record, "ce_id");
            switch (record.topic()) {
                case TASKS -> {
                    // Keyed by the workflow (a submit's records share a partition); the id is the task's.
                    assertThat(record.key())
                            .as(where)
                            .isEqualTo(value.path("workflow_id").asString());
                    assertThat(ceId).as(where).isEqualTo(value.path("task_id").asString());
                    assertThat(header(record, "ce_type")).isEqualTo("dev.cascade.enrichment.task");
                }
                case RESULTS -> {
                    assertThat(record.key())
                            .as(where)
                            .isEqualTo(value.path("workflow_id").asString());
                    // Its own id, never its task record's (source + id name one event), the same for every copy.
                    assertThat(ceId).as(where).isEqualTo(value.path("task_id").asString() + ":result");
                    assertThat(header(record, "ce_type")).isEqualTo("dev.cascade.enrichment.result");
                }
                default -> {
                    String event = value.path("event").asString();
                    assertThat(record.key())
                            .as(where)
                            .isEqualTo(value.path("workflow_id").asString());
                    assertThat(ceId).as(where).isEqualTo(record.key() + ":" + event);
                    assertThat(header(record, "ce_type")).isEqualTo("dev.cascade.enrichment.workflow." + event);
                }
            }
        }

        for (Map.Entry<String, List<String>> workflow : tasksByWorkflow.entrySet()) {
            String workflowId = workflow.getKey();
            String type = typeByWorkflow.get(workflowId);
            JsonPath status = tenant.awaitTerminal(workflowId, Duration.ofSeconds(30));
            // One result per settled task once de-duplicated on ce_id, and every task settled.
            Map<String, JsonNode> results = dedup(seen, RESULTS, workflowId);
            assertThat(results.keySet())
                    .as(type)
                    .containsExactlyInAnyOrderElementsOf(workflow.getValue().stream()
                            .map(taskId -> taskId + ":result")
                            .toList());
            assertThat(status.getInt("workflow.completed_prospects") + status.getInt("workflow.failed_prospects"))
                    .as(type)
                    .isEqualTo(results.size());
            assertThat(results.values().stream()
                            .mapToDouble(r -> r.path("charged_credits").asDouble())
                            .sum())
                    .as(type + ": charged_credits add up to the workflow's credits_charged")
                    .isEqualTo(status.getDouble("workflow.credits_charged"));
            assertThat(results.values())
                    .as(type)
                    .allSatisfy(r ->
                            assertThat(r.path("enrichment_type").asString()).isEqualTo(type))
                    .allSatisfy(r ->
                            assertThat(r.path("custom").path("team").asString()).isEqualTo("schema-test"));
            // The records validated above really hold what each type adds, so the schema was tried on it.
            switch (type) {
                case "none" ->
                    assertThat(results.values())
                            .allSatisfy(
                                    r -> assertThat(r.path("trace").isEmpty()).isTrue());
                case "partial" ->
                    assertThat(results.values())
                            .anySatisfy(r -> assertThat(r.has("primary_email")).isTrue());
                case "phone_only" ->
                    assertThat(results.values())
                            .anySatisfy(r -> assertThat(r.path("phones")).isNotEmpty());
                case "full" ->
                    assertThat(results.values())
                            .anySatisfy(r -> assertThat(r.has("primary_email")).isTrue())
                            .anySatisfy(r -> assertThat(r.path("phones")).isNotEmpty());
                default ->
                    assertThat(results.values())
                            .anySatisfy(r -> assertThat(r.path("prospects")).isNotEmpty());
            }
            // One started and one completed lifecycle record; completed carries the status endpoint's numbers.
            Map<String, JsonNode> lifecycle = dedup(seen, WORKFLOWS, workflowId);
            assertThat(lifecycle.keySet())
                    .containsExactlyInAnyOrder(workflowId + ":started", workflowId + ":completed");
            JsonNode completed = lifecycle.get(workflowId + ":completed");
            assertThat(completed.path("status").asString()).isEqualTo(status.getString("workflow.status"));
            assertThat(completed.path("summary").path("total").asInt())
                    .isEqualTo(workflow.getValue().size());
            assertThat(completed.path("summary").path("successful").asInt())
                    .isEqualTo(status.getInt("workflow.completed_prospects"));
            assertThat(completed.path("summary").path("failed").asInt())
                    .isEqualTo(status.getInt("workflow.failed_prospects"));
            assertThat(completed.path("summary").path("emails_found").asInt())
                    .isEqualTo(status.getInt("workflow.emails_found"));
            assertThat(completed.path("summary").path("phones_found").asInt())
                    .isEqualTo(status.getInt("workflow.phones_found"));
            assertThat(dedup(seen, TASKS, workflowId).keySet())
                    .containsExactlyInAnyOrderElementsOf(workflow.getValue());
        }
    }

    @Test
    void theSchemasRequireWhatIsAlwaysThereAndAcceptPropertiesAddedLater() {
        String result = """
                {"task_id":"0b7e1f0e-5d0a-4a43-9a57-1c2f7a0e2b11","status":"completed","other_emails":[],
                 "personal_phone_numbers":[],"phones":[],"workflow_id":"public_bulk_5b1d3c52-8a5e-4f55-9a1e-2b7d9c1e0f42",
                 "org_id":"6f0c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b","enrichment_type":"partial","charged_credits":0,
                 "trace":[],"a_field_added_later":{"x":1}}
                """;
        assertThat(EventSchemas.errors("result.schema.json", result)).isEmpty();
        assertThat(EventSchemas.errors("result.schema.json", result.replace("\"task_id\"", "\"taskid\"")))
                .isNotEmpty();
        assertThat(EventSchemas.errors("result.schema.json", result.replace("\"charged_credits\":0,", "")))
                .isNotEmpty();
        assertThat(EventSchemas.errors(
                        "result.schema.json", result.replace("\"status\":\"completed\"", "\"status\":\"failed\"")))
                .as("a failed result says why")
                .isNotEmpty();
        assertThat(EventSchemas.errors("task.schema.json", "{\"task_id\":\"nope\"}"))
                .isNotEmpty();
        assertThat(EventSchemas.errors("workflow.schema.json", """
                        {"event":"completed","workflow_id":"public_bulk_5b1d3c52-8a5e-4f55-9a1e-2b7d9c1e0f42",
                         "org_id":"6f0c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b","enrichment_type":"partial",
                         "status":"completed","total_prospects":1,"at":"2026-04-06T15:00:42Z"}
                        """))
                .as("a completed lifecycle record carries its summary")
                .isNotEmpty();
    }

    @Test
    void everyPublishedSchemaIsAValidDraft202012Schema() throws IOException {
        List<Path> files = schemaFiles();
        assertThat(files).hasSizeGreaterThanOrEqualTo(7);
        for (Path file : files) {
            assertThat(EventSchemas.describe(EventSchemas.metaSchema()
                            .validate(Files.readString(file), com.networknt.schema.InputFormat.JSON)))
                    .as(file.getFileName().toString())
                    .isEmpty();
            assertThat(JSON.readTree(file.toFile()).path("$schema").asString())
                    .as(file.getFileName().toString())
                    .isEqualTo("https://json-schema.org/draft/2020-12/schema");
            // Loading resolves every $ref of the file; an unresolvable one fails here.
            EventSchemas.schema(file.getFileName().toString()).initializeValidators();
        }
    }

    @Test
    void theAsyncApiDocumentDescribesEveryTopicAndEveryRefResolvesToAFileInDocsEvents() throws IOException {
        JsonNode doc = new YAMLMapper()
                .readTree(EventSchemas.DIR.resolve("asyncapi.yaml").toFile());
        assertThat(doc.path("asyncapi").asString()).isEqualTo("3.0.0");

        Set<String> addresses = new TreeSet<>();
        doc.path("channels")
                .forEach(channel -> addresses.add(channel.path("address").asString()));
        var config = ConfigProvider.getConfig();
        assertThat(addresses)
                .containsExactlyInAnyOrder(
                        config.getValue("cascade.topics.tasks", String.class),
                        config.getValue("cascade.topics.results", String.class),
                        config.getValue("cascade.topics.workflows", String.class),
                        config.getValue("cascade.topics.tasks-dlq", String.class));

        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        Set<String> files = new TreeSet<>();
        for (String ref : refs) {
            int hash = ref.indexOf('#');
            String file = hash < 0 ? ref : ref.substring(0, hash);
            String pointer = hash < 0 ? "" : ref.substring(hash + 1);
            JsonNode target;
            if (file.isEmpty()) {
                target = doc;
            } else {
                Path path = EventSchemas.DIR.resolve(file).normalize();
                assertThat(path.getParent()).as(ref).isEqualTo(EventSchemas.DIR);
                assertThat(path).as(ref).isRegularFile();
                files.add(file);
                target = JSON.readTree(path.toFile());
            }
            assertThat(target.at(pointer).isMissingNode()).as(ref).isFalse();
        }
        assertThat(files)
                .as("every value and header schema is part of the document")
                .containsAll(schemaFiles().stream()
                        .map(p -> p.getFileName().toString())
                        .filter(name -> !name.equals("result-item.schema.json"))
                        .toList());

        // Every message: a payload, headers and its Kafka key; every example matches them.
        JsonNode messages = doc.path("components").path("messages");
        assertThat(messages.size()).isGreaterThanOrEqualTo(5);
        for (var message : messages.properties()) {
            String name = message.getKey();
            JsonNode body = message.getValue();
            assertThat(body.path("payload").path("$ref").asString()).as(name).isNotBlank();
            assertThat(body.path("headers").isMissingNode()).as(name).isFalse();
            assertThat(body.path("bindings").path("kafka").path("key").isMissingNode())
                    .as(name)
                    .isFalse();
            assertThat(body.path("examples").isEmpty())
                    .as(name + " has an example")
                    .isFalse();
            for (JsonNode example : body.path("examples")) {
                String payloadSchema = body.path("payload").path("$ref").asString();
                assertThat(EventSchemas.errors(
                                payloadSchema, example.path("payload").toString()))
                        .as(name + " example payload")
                        .isEmpty();
                String headerSchema = headerSchema(body.path("headers"));
                assertThat(EventSchemas.errors(
                                headerSchema, example.path("headers").toString()))
                        .as(name + " example headers")
                        .isEmpty();
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** The schema file a message's headers point at (directly or as the first allOf). */
    private static String headerSchema(JsonNode headers) {
        JsonNode ref = headers.has("$ref")
                ? headers.path("$ref")
                : headers.path("allOf").path(0).path("$ref");
        assertThat(ref.asString()).endsWith(".schema.json");
        return ref.asString();
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            for (var property : node.properties()) {
                if (property.getKey().equals("$ref") && property.getValue().isString()) {
                    refs.add(property.getValue().asString());
                } else {
                    collectRefs(property.getValue(), refs);
                }
            }
        } else if (node.isArray()) {
            node.forEach(child -> collectRefs(child, refs));
        }
    }

    private static List<Path> schemaFiles() throws IOException {
        try (Stream<Path> files = Files.list(EventSchemas.DIR)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".schema.json"))
                    .sorted()
                    .toList();
        }
    }

    private static List<Map<String, Object>> contacts(String type) {
        if (type.equals("prospecting_only")) {
            return List.of(Map.of("company_domain", "company1.com"), Map.of("company_name", "Globex"));
        }
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            contacts.add(Gateway.person(i));
        }
        contacts.add(Map.of("linkedin_url", "https://www.linkedin.com/in/jane-doe"));
        return contacts;
    }

    /** The records of one workflow on a topic, one per ce_id (the last copy wins, as a de-duplicating consumer keeps). */
    private static Map<String, JsonNode> dedup(List<ConsumerRecord<String, String>> records, String topic, String wf) {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            if (record.topic().equals(topic)) {
                JsonNode value = JSON.readTree(record.value());
                if (value.path("workflow_id").asString().equals(wf)) {
                    byId.put(header(record, "ce_id"), value);
                }
            }
        }
        return byId;
    }

    private static Set<String> distinctIds(List<ConsumerRecord<String, String>> records, String topic, String wf) {
        return dedup(records, topic, wf).keySet();
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}

package dev.cascade.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quarkus.test.junit.QuarkusTest;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cascade.testing.Gateway;

/**
 * The OpenAPI document served on the management port is one a tool can use (issue 13, item 15): a real OpenAPI
 * parser reads it without an error or warning; every operation has an operationId and the Bearer scheme of its
 * path; every error answer has the contract's error schema; the response headers are named; the streamed answers
 * have their media types; the answers are typed; no internal type leaks in. And it is the reviewed snapshot
 * `docs/openapi.yaml`: a change to the API shows in review as a change to that file.
 */
@QuarkusTest
class OpenApiDocumentTest {
    static final Path SNAPSHOT = Path.of("docs/openapi.yaml");
    // Not under `cascade.`: that prefix is the application's configuration, checked for unknown names at start-up.
    static final String UPDATE = "update-openapi-snapshot";
    static final String REGENERATE = "./mvnw test -Dtest=OpenApiDocumentTest -D" + UPDATE + "=true";
    static final String ERROR_BODY = "#/components/schemas/ErrorBody";
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static String served;
    private static SwaggerParseResult parsed;

    @BeforeAll
    static void read() {
        served = given().get(Gateway.management("/q/openapi"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        parsed = new OpenAPIV3Parser().readContents(served, null, options);
    }

    @Test
    void theServedDocumentIsTheReviewedSnapshot() throws IOException {
        if (Boolean.getBoolean(UPDATE)) {
            Files.writeString(SNAPSHOT, served, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(SNAPSHOT)) {
            fail(SNAPSHOT + " is missing; write it with `" + REGENERATE + "`, review it and commit it");
        }
        // Compared as YAML trees, not as text: the order of an object's keys is not part of the document.
        JsonNode snapshot = YAML.readTree(Files.readString(SNAPSHOT, StandardCharsets.UTF_8));
        String difference = firstDifference("", snapshot, YAML.readTree(served));
        if (difference != null) {
            fail("The served OpenAPI document differs from " + SNAPSHOT + " at " + difference
                    + ". If the API change is intended, regenerate the snapshot with `" + REGENERATE
                    + "`, review the diff and commit it with the change.");
        }
    }

    /** A change anywhere in the document is found and named by where it is (the snapshot test's message). */
    @Test
    void aChangedDocumentIsReportedWhereItDiffers() throws IOException {
        JsonNode document = YAML.readTree(served);
        JsonNode changed = document.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) changed.at("/paths/~1api~1v1~1public~1enrich~1bulk/post"))
                .put("operationId", "somethingElse");
        assertThat(firstDifference("", document, document.deepCopy())).isNull();
        assertThat(firstDifference("", document, changed))
                .isEqualTo("/paths/~1api~1v1~1public~1enrich~1bulk/post/operationId: snapshot"
                        + " \"submitBulkEnrichment\", served \"somethingElse\"");
    }

    /** The JSON form (docs/api.md names it) is the same document. */
    @Test
    void theJsonFormIsTheSameDocument() throws IOException {
        String json = given().get(Gateway.management("/q/openapi?format=json"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(firstDifference("", YAML.readTree(served), new ObjectMapper().readTree(json)))
                .isNull();
    }

    @Test
    void aParserReadsItWithoutErrorsOrWarnings() {
        assertThat(parsed.getMessages()).as("parser errors and warnings").isEmpty();
        assertThat(parsed.getOpenAPI()).isNotNull();
        assertThat(operations()).hasSizeGreaterThanOrEqualTo(28);
    }

    @Test
    void everyOperationHasAUniqueIdAndTheBearerSchemeOfItsPath() {
        Set<String> ids = new HashSet<>();
        operations().forEach((name, operation) -> {
            assertThat(operation.getOperationId()).as(name + " operationId").isNotBlank();
            assertThat(ids.add(operation.getOperationId()))
                    .as(name + " operationId is unique")
                    .isTrue();
            String scheme = name.contains(" /api/v1/admin/") ? "operatorToken" : "apiKey";
            assertThat(operation.getSecurity()).as(name + " security").hasSize(1);
            assertThat(operation.getSecurity().get(0)).as(name + " security").containsOnlyKeys(scheme);
        });
        var schemes = document().getComponents().getSecuritySchemes();
        for (String scheme : List.of("apiKey", "operatorToken")) {
            assertThat(schemes.get(scheme).getType().toString()).isEqualTo("http");
            assertThat(schemes.get(scheme).getScheme()).isEqualTo("bearer");
        }
    }

    @Test
    void everyErrorAnswerHasTheContractsErrorSchema() {
        operations().forEach((name, operation) -> {
            Map<String, ApiResponse> responses = operation.getResponses();
            assertThat(responses).as(name).containsKeys("401", "413", "429", "503");
            if (operation.getRequestBody() != null) {
                assertThat(responses).as(name + " takes a JSON body").containsKeys("400", "415");
            }
            responses.forEach((status, response) -> {
                if (status.startsWith("4") || status.startsWith("5")) {
                    MediaType json = response.getContent() == null
                            ? null
                            : response.getContent().get("application/json");
                    assertThat(json).as(name + " " + status + " is JSON").isNotNull();
                    assertThat(json.getSchema().get$ref())
                            .as(name + " " + status)
                            .isEqualTo(ERROR_BODY);
                }
            });
        });
        Schema<?> detail = (Schema<?>) document()
                .getComponents()
                .getSchemas()
                .get("ErrorBody")
                .getProperties()
                .get("detail");
        assertThat(detail.getOneOf()).hasSize(2);
        assertThat(responses("POST /api/v1/public/enrich/bulk"))
                .containsKeys("400", "402", "409", "413", "415", "422", "429");
        assertThat(responses("GET /api/v1/public/enrich/status")).containsKeys("400", "404", "422");
        assertThat(responses("POST /api/v1/public/enrich/cancel")).containsKeys("400", "404", "409");
        assertThat(responses("GET /api/v1/public/enrich/stream")).containsKeys("204", "400", "404", "429");
        assertThat(responses("POST /api/v1/public/webhooks/redeliver")).containsKeys("202", "404", "409", "429");
        assertThat(responses("POST /api/v1/admin/organizations/{id}/api-keys")).containsKeys("201", "404", "409");
    }

    @Test
    void everyAnswerNamesItsHeaders() {
        operations()
                .forEach((name, operation) -> operation.getResponses().forEach((status, response) -> {
                    assertThat(response.getHeaders())
                            .as(name + " " + status + " headers")
                            .containsKeys("X-Request-Id", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset");
                    if (status.equals("429") || status.equals("503")) {
                        assertThat(response.getHeaders())
                                .as(name + " " + status)
                                .containsKey("Retry-After");
                    }
                    if (status.equals("401")) {
                        assertThat(response.getHeaders())
                                .as(name + " " + status)
                                .containsKey("WWW-Authenticate");
                    }
                }));
        assertThat(responses("POST /api/v1/public/enrich/bulk").get("200").getHeaders())
                .containsKey("Idempotent-Replayed");
        assertThat(document().getComponents().getHeaders())
                .containsKeys(
                        "X-Request-Id",
                        "RateLimit-Limit",
                        "RateLimit-Remaining",
                        "RateLimit-Reset",
                        "Retry-After",
                        "WWW-Authenticate",
                        "Idempotent-Replayed");
    }

    @Test
    void theExportAndTheStreamHaveTheirMediaTypes() {
        assertThat(responses("GET /api/v1/public/enrich/results").get("200").getContent())
                .containsOnlyKeys("text/csv", "application/x-ndjson");
        assertThat(responses("GET /api/v1/public/enrich/stream").get("200").getContent())
                .containsOnlyKeys("text/event-stream");
        assertThat(operations().get("GET /api/v1/public/enrich/results").getParameters())
                .filteredOn(p -> p.getName().equals("format"))
                .singleElement()
                .satisfies(p -> assertThat(p.getSchema().getEnum()).containsExactly("ndjson", "csv"));
    }

    @Test
    void everyAnswerAndBodyIsTyped() {
        List<String> streamed = List.of("text/csv", "application/x-ndjson", "text/event-stream");
        operations().forEach((name, operation) -> {
            if (operation.getRequestBody() != null) {
                operation
                        .getRequestBody()
                        .getContent()
                        .forEach((type, media) -> assertThat(media.getSchema().get$ref())
                                .as(name + " request body")
                                .startsWith("#/components/schemas/"));
            }
            operation.getResponses().forEach((status, response) -> {
                if (!status.startsWith("2") || status.equals("204")) {
                    return;
                }
                assertThat(response.getContent()).as(name + " " + status).isNotEmpty();
                response.getContent().forEach((type, media) -> {
                    if (!streamed.contains(type)) {
                        assertThat(media.getSchema().get$ref())
                                .as(name + " " + status + " " + type + " is a named schema")
                                .startsWith("#/components/schemas/");
                    }
                });
            });
        });
        assertThat(responses("GET /api/v1/public/enrich/status")
                        .get("200")
                        .getContent()
                        .get("application/json")
                        .getSchema()
                        .get$ref())
                .isEqualTo("#/components/schemas/StatusAnswer");
        Map<String, Schema> schemas = document().getComponents().getSchemas();
        assertThat(schemas.get("StatusAnswer").getOneOf().stream()
                        .map(s -> ((Schema<?>) s).get$ref())
                        .toList())
                .containsExactly("#/components/schemas/WorkflowStatusAnswer", "#/components/schemas/TaskStatusAnswer");
        assertThat(schemas.get("WorkflowStatus").getProperties())
                .containsKeys("workflow_id", "status", "total_prospects", "completed_prospects", "results");
        assertThat(schemas.get("TaskStatus").getProperties()).containsKeys("task_id", "status", "result", "trace");
        assertThat(schemas.get("ResultItem").getProperties())
                .containsKeys("primary_email", "other_emails", "personal_phone_numbers", "phones", "error");
        // No answer is an untyped map: every object schema names its properties (or is a oneOf/allOf of ones that do).
        schemas.forEach((schemaName, schema) -> assertThat(schema.getProperties() != null
                        || schema.getOneOf() != null
                        || schema.getAllOf() != null
                        || schema.getEnum() != null
                        || !isObject(schema))
                .as(schemaName + " names its properties")
                .isTrue());
    }

    @Test
    void noInternalTypeLeaksIn() {
        List<String> internal = List.of(
                "ByteBuf",
                "Buffer",
                "JsonNode",
                "ObjectNode",
                "ArrayNode",
                "RestMulti",
                "Multi",
                "Uni",
                "Vertx",
                "Mutiny",
                "Response",
                "Principal",
                "RateDecision");
        Set<String> names = document().getComponents().getSchemas().keySet();
        for (String type : internal) {
            assertThat(names).as("component schemas").doesNotContain(type);
        }
        assertThat(names).noneMatch(n -> n.matches("(?i).*(bytebuf|buffer|jsonnode|vertx|mutiny).*"));
        assertThat(served).doesNotContainIgnoringCase("bytebuf").doesNotContain("JsonNode");
    }

    /** A 3.1 document lists a schema's types ({@code getTypes}); a 3.0 one has one ({@code getType}). */
    private static boolean isObject(Schema<?> schema) {
        return "object".equals(schema.getType())
                || (schema.getTypes() != null && schema.getTypes().contains("object"));
    }

    private static OpenAPI document() {
        return parsed.getOpenAPI();
    }

    /** Every operation, named "METHOD /path". */
    private static Map<String, Operation> operations() {
        Map<String, Operation> all = new java.util.TreeMap<>();
        document().getPaths().forEach((path, item) -> {
            for (Map.Entry<PathItem.HttpMethod, Operation> entry :
                    item.readOperationsMap().entrySet()) {
                all.put(entry.getKey() + " " + path, entry.getValue());
            }
        });
        return all;
    }

    private static Map<String, ApiResponse> responses(String operation) {
        Operation found = operations().get(operation);
        assertThat(found).as(operation).isNotNull();
        return found.getResponses();
    }

    /** The JSON pointer of the first place where two trees differ, with both values; null when they are equal. */
    static String firstDifference(String at, JsonNode expected, JsonNode actual) {
        if (expected == null || actual == null || expected.getNodeType() != actual.getNodeType()) {
            return (at.isEmpty() ? "/" : at) + ": snapshot " + brief(expected) + ", served " + brief(actual);
        }
        if (expected.isObject()) {
            Set<String> keys = new java.util.TreeSet<>();
            expected.fieldNames().forEachRemaining(keys::add);
            actual.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                String found = firstDifference(
                        at + "/" + key.replace("~", "~0").replace("/", "~1"), expected.get(key), actual.get(key));
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (expected.isArray()) {
            for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
                String found = firstDifference(at + "/" + i, expected.get(i), actual.get(i));
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        return expected.equals(actual)
                ? null
                : (at.isEmpty() ? "/" : at) + ": snapshot " + brief(expected) + ", served " + brief(actual);
    }

    private static String brief(JsonNode node) {
        if (node == null) {
            return "(absent)";
        }
        String text = node.toString();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}

package dev.cascade.api.doc;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * What every operation of the OpenAPI document shares, applied once here instead of on every resource method: the
 * security scheme (an API key under `/api/v1/public`, the operator token under `/api/v1/admin`), the answers any
 * request can get (401, 413, 429, 503; 400 and 415 for a JSON body), the contract's error schema on every error, and
 * the response headers (`X-Request-Id`, `RateLimit-*`, `Retry-After`, `WWW-Authenticate`). The components it refers to
 * are declared in `META-INF/openapi.yaml`; what is particular to an operation (its operationId, its other errors, its
 * answer's schema) is annotated on the resource method.
 *
 * <p>Runs at build time: the document is fixed by the code, and the served one is compared with `docs/openapi.yaml`
 * by a test.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ContractDocument implements OASFilter {
    static final String PUBLIC = "/api/v1/public";
    static final String ADMIN = "/api/v1/admin";
    static final String JSON = "application/json";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            Map<PathItem.HttpMethod, Operation> operations = item.getOperations();
            if (operations != null) {
                operations.values().forEach(operation -> operation(path, operation));
            }
        });
    }

    private static void operation(String path, Operation operation) {
        boolean admin = path.startsWith(ADMIN);
        if (admin || path.startsWith(PUBLIC)) {
            operation.setSecurity(
                    List.of(OASFactory.createSecurityRequirement().addScheme(admin ? "operatorToken" : "apiKey")));
        }
        if (operation.getParameters() != null) {
            boolean byTask = operation.getParameters().stream().anyMatch(p -> "task_id".equals(p.getName()));
            operation.getParameters().forEach(parameter -> parameter(parameter, byTask));
        }
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        if (operation.getRequestBody() != null) {
            putIfAbsent(responses, "400", "Malformed JSON body");
            putIfAbsent(responses, "415", "The body is not application/json");
        }
        putIfAbsent(
                responses,
                "401",
                admin
                        ? "Missing or wrong operator token"
                        : "Missing, malformed, unknown, expired or revoked API key: {\"detail\":\"Not authenticated\"}");
        putIfAbsent(responses, "413", "Request body over the limit (1 MiB): {\"detail\":\"Request body too large\"}");
        putIfAbsent(
                responses,
                "429",
                admin
                        ? "Too many wrong tokens from this client address; wait Retry-After seconds"
                        : "Rate limit exceeded (per key or per organisation); wait Retry-After seconds");
        putIfAbsent(responses, "503", "The database is unavailable or saturated; retry after Retry-After seconds");
        // Sorted by status, so the document reads (and diffs) in a stable order.
        Map<String, APIResponse> sorted = new TreeMap<>(responses.getAPIResponses());
        sorted.forEach(ContractDocument::response);
        responses.setAPIResponses(sorted);
    }

    private static void putIfAbsent(APIResponses responses, String status, String description) {
        if (!responses.hasAPIResponse(status)) {
            responses.addAPIResponse(status, OASFactory.createAPIResponse().description(description));
        }
    }

    private static void response(String status, APIResponse response) {
        // "default" (no status of its own) is treated as an error answer.
        int code = status.chars().allMatch(Character::isDigit) ? Integer.parseInt(status) : 500;
        if (code >= 400
                && (response.getContent() == null
                        || response.getContent().getMediaTypes() == null
                        || response.getContent().getMediaTypes().isEmpty())) {
            response.setContent(errorContent());
        }
        header(response, "X-Request-Id");
        header(response, "RateLimit-Limit");
        header(response, "RateLimit-Remaining");
        header(response, "RateLimit-Reset");
        if (code == 401) {
            header(response, "WWW-Authenticate");
        }
        if (code == 429 || code == 503) {
            header(response, "Retry-After");
        }
    }

    private static void header(APIResponse response, String name) {
        if (response.getHeaders() == null || !response.getHeaders().containsKey(name)) {
            response.addHeader(name, ref(name));
        }
    }

    private static Header ref(String name) {
        return OASFactory.createHeader().ref(name);
    }

    private static Content errorContent() {
        return OASFactory.createContent()
                .addMediaType(
                        JSON,
                        OASFactory.createMediaType()
                                .schema(OASFactory.createSchema().ref("ErrorBody")));
    }

    /**
     * The query, header and path parameters are read as strings by the resources (so that every bad value gets the
     * contract's error rather than a framework's); here they get the types and rules a client should follow.
     */
    private static void parameter(Parameter parameter, boolean byTask) {
        Schema schema = parameter.getSchema();
        if (schema == null || schema.getRef() != null) {
            return;
        }
        switch (parameter.getName()) {
            case "workflow_id" -> {
                // The status endpoint takes exactly one of workflow_id and task_id; everywhere else it is required.
                parameter.setRequired(!byTask);
                schema.setPattern("^public_bulk_[0-9a-fA-F-]{36}$");
                describe(
                        parameter,
                        byTask
                                ? "The workflow (`public_bulk_` + UUID); exactly one of workflow_id and task_id"
                                : "The workflow (`public_bulk_` + UUID); unknown and other organisations' ids answer 404");
            }
            case "task_id" -> {
                schema.setFormat("uuid");
                describe(parameter, "The task; exactly one of workflow_id and task_id");
            }
            case "include_results", "include_trace" -> {
                schema.setType(List.of(Schema.SchemaType.BOOLEAN));
                schema.setDefaultValue(false);
                describe(parameter, "true or false (1/0, yes/no and on/off are read too; anything else is a 422)");
            }
            case "format" -> {
                schema.setEnumeration(List.of("ndjson", "csv"));
                describe(parameter, "ndjson (default) or csv, any case; without it, Accept: text/csv selects CSV");
            }
            case "cursor" -> describe(parameter, "The previous page's next_cursor; leave out for the first page");
            case "Idempotency-Key" -> {
                schema.setMinLength(1);
                schema.setMaxLength(255);
                describe(
                        parameter,
                        "Printable ASCII, at most 255 characters: the same key with the same body replays the first"
                                + " answer (Idempotent-Replayed: true); with another body answers 422; kept 24 h");
            }
            case "Last-Event-ID" ->
                describe(parameter, "The id of the last event received: the stream resumes after it, without gaps");
            case "id", "keyId" -> schema.setFormat("uuid");
            default -> {}
        }
    }

    private static void describe(Parameter parameter, String description) {
        if (parameter.getDescription() == null) {
            parameter.setDescription(description);
        }
    }
}

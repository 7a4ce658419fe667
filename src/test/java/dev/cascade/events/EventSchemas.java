package dev.cascade.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The published event schemas of {@code docs/events/}, read from the files and applied with a JSON Schema validator
 * (draft 2020-12), as another team would apply them. Relative {@code $ref}s between the files resolve inside that
 * folder; nothing is fetched from the network.
 */
public final class EventSchemas {
    /** The folder the schemas and the AsyncAPI document are published in. */
    public static final Path DIR = Path.of("docs", "events").toAbsolutePath();

    private static final String BASE =
            DIR.toUri().toString().endsWith("/") ? DIR.toUri().toString() : DIR.toUri() + "/";
    private static final JsonMapper JSON = JsonMapper.shared();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12, builder -> builder.schemas(EventSchemas::published));

    private EventSchemas() {}

    /** The schema in {@code docs/events/<file>}. */
    public static Schema schema(String file) {
        return REGISTRY.getSchema(SchemaLocation.of(BASE + file));
    }

    /** What is wrong with a JSON text according to {@code docs/events/<file>}; empty when it matches. */
    public static List<String> errors(String file, String json) {
        return describe(schema(file).validate(json, InputFormat.JSON));
    }

    /** What is wrong with a record's headers according to {@code docs/events/<file>}; empty when they match. */
    public static List<String> headerErrors(String file, Headers headers) {
        return errors(file, headersAsJson(headers));
    }

    /** The headers as one JSON object of name to UTF-8 value (the last value of a repeated header). */
    public static String headersAsJson(Headers headers) {
        ObjectNode object = JSON.createObjectNode();
        for (Header header : headers) {
            object.put(header.key(), header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
        }
        return object.toString();
    }

    /** The JSON Schema 2020-12 meta-schema, to check the published files themselves. */
    public static Schema metaSchema() {
        return REGISTRY.getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
    }

    static List<String> describe(List<Error> errors) {
        return errors.stream()
                .map(e -> e.getInstanceLocation() + " " + e.getMessage() + " " + Arrays.toString(e.getArguments()))
                .toList();
    }

    /** Content of a file under {@link #DIR} by its IRI; null for anything else (then the library's own loaders). */
    private static String published(String iri) {
        if (!iri.startsWith(BASE)) {
            return null;
        }
        Path file = DIR.resolve(iri.substring(BASE.length())).normalize();
        if (!file.startsWith(DIR) || !Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

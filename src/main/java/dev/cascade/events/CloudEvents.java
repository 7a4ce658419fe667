package dev.cascade.events;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

import dev.cascade.support.Times;

/**
 * CloudEvents Kafka binary-mode headers (`ce_*`) plus `org_id`, carried by every record Cascade writes; with tracing
 * on, the W3C `traceparent`/`tracestate` headers beside them.
 */
public final class CloudEvents {
    public static final String SOURCE = "urn:cascade:gateway";
    public static final String TYPE_TASK = "dev.cascade.enrichment.task";
    public static final String TYPE_RESULT = "dev.cascade.enrichment.result";
    public static final String TYPE_WORKFLOW_STARTED = "dev.cascade.enrichment.workflow.started";
    public static final String TYPE_WORKFLOW_COMPLETED = "dev.cascade.enrichment.workflow.completed";

    private static final byte[] SOURCE_BYTES = bytes(SOURCE);
    private static final byte[] SPEC_VERSION = bytes("1.0");
    private static final byte[] CONTENT_TYPE = bytes("application/json");

    private CloudEvents() {}

    /** The `ce_id` of a task record: its task id (the record's key is the workflow id). */
    public static String taskEventId(UUID taskId) {
        return taskId.toString();
    }

    /**
     * The `ce_id` of a task's result record, `<task_id>:result`. CloudEvents names one event by `ce_source` + `ce_id`,
     * and a task record and its result are two events from one source, so they must not share an id (a consumer that
     * keeps one set of seen ids would otherwise drop the result as a copy of the task). Derived from the task id
     * alone, so every copy of a result — a re-run after a redelivery, the cancel's copy — keeps the same id and
     * de-duplicating on `ce_id` still works.
     */
    public static String resultEventId(String taskId) {
        return taskId + ":result";
    }

    /**
     * Outgoing metadata with the record key and the CloudEvents headers, for the records written through an emitter
     * (lifecycle, a cancel's results). The id must be stable for one logical event (a re-published task keeps its id)
     * so that consumers can de-duplicate on `ce_id`.
     */
    public static OutgoingKafkaRecordMetadata<String> metadata(String key, String id, String type, UUID orgId) {
        return OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key)
                .withHeaders(headers(bytes(id), bytes(type), bytes(Times.now()), bytes(orgId.toString())))
                .build();
    }

    /**
     * The CloudEvents headers from their values as UTF-8 bytes; the constant ones share one array each (Kafka never
     * changes a header's value), so a producer writing many records builds only what differs.
     */
    public static RecordHeaders headers(byte[] id, byte[] type, byte[] time, byte[] orgId) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", id);
        headers.add("ce_type", type);
        headers.add("ce_source", SOURCE_BYTES);
        headers.add("ce_specversion", SPEC_VERSION);
        headers.add("ce_time", time);
        headers.add("content-type", CONTENT_TYPE);
        headers.add("org_id", orgId);
        return headers;
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}

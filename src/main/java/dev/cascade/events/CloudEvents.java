package dev.cascade.events;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

import dev.cascade.support.Times;

/** CloudEvents Kafka binary-mode headers (`ce_*`) plus `org_id`, carried by every record Cascade writes. */
public final class CloudEvents {
    public static final String SOURCE = "urn:cascade:gateway";
    public static final String TYPE_TASK = "dev.cascade.enrichment.task";
    public static final String TYPE_RESULT = "dev.cascade.enrichment.result";
    public static final String TYPE_WORKFLOW_STARTED = "dev.cascade.enrichment.workflow.started";
    public static final String TYPE_WORKFLOW_COMPLETED = "dev.cascade.enrichment.workflow.completed";

    private CloudEvents() {}

    /**
     * Outgoing metadata with the record key and the CloudEvents headers. The id must be stable for one logical
     * event (a re-published task keeps its id) so that consumers can de-duplicate on `ce_id`.
     */
    public static OutgoingKafkaRecordMetadata<String> metadata(String key, String id, String type, UUID orgId) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", bytes(id));
        headers.add("ce_type", bytes(type));
        headers.add("ce_source", bytes(SOURCE));
        headers.add("ce_specversion", bytes("1.0"));
        headers.add("ce_time", bytes(Times.now()));
        headers.add("content-type", bytes("application/json"));
        headers.add("org_id", bytes(orgId.toString()));
        return OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key)
                .withHeaders(headers)
                .build();
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}

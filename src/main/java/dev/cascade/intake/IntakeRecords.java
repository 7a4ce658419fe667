package dev.cascade.intake;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import dev.cascade.events.CloudEvents;
import dev.cascade.events.TaskRecord;
import dev.cascade.events.WorkflowEvent;
import dev.cascade.support.Json;
import dev.cascade.support.Times;

/**
 * The producer records a submit writes: one task record per contact on the tasks topic (keyed by workflow id) and the
 * workflow's `started` lifecycle record on the workflows topic (keyed by workflow id, as the `workflows-out` channel
 * writes it), each with its CloudEvents headers.
 */
final class IntakeRecords {
    private static final byte[] TYPE = bytes(CloudEvents.TYPE_TASK);
    private static final byte[] TYPE_STARTED = bytes(CloudEvents.TYPE_WORKFLOW_STARTED);

    private final ObjectWriter writer;
    private final ObjectWriter eventWriter;
    private final String topic;
    private final String workflowsTopic;

    IntakeRecords(Json json, String topic, String workflowsTopic) {
        this.writer = json.mapper().writerFor(TaskRecord.class);
        this.eventWriter = json.mapper().writerFor(WorkflowEvent.class);
        this.topic = topic;
        this.workflowsTopic = workflowsTopic;
    }

    String topic() {
        return topic;
    }

    /** The producer records of a submit's tasks: one timestamp and one set of constant header values for them all. */
    List<ProducerRecord<String, byte[]>> tasks(List<TaskRecord> tasks) throws JsonProcessingException {
        byte[] time = now();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(tasks.size());
        for (TaskRecord task : tasks) {
            records.add(task(task, time));
        }
        return records;
    }

    /** The `ce_time` header value of records made now. */
    static byte[] now() {
        return bytes(Times.now());
    }

    ProducerRecord<String, byte[]> task(TaskRecord task, byte[] time) throws JsonProcessingException {
        byte[] idBytes = bytes(CloudEvents.taskEventId(task.taskId()));
        RecordHeaders headers =
                CloudEvents.headers(idBytes, TYPE, time, bytes(task.orgId().toString()));
        // Keyed by the workflow: a submit's records make one batch on one partition (about 12 before, one per
        // partition: a fifth less broker CPU and about 10 % more P2, docs/performance.md run N).
        return new ProducerRecord<>(topic, null, task.workflowId(), writer.writeValueAsBytes(task), headers);
    }

    /** The record the `workflows-out` channel writes for the event: key the workflow id, the same CloudEvents headers. */
    ProducerRecord<String, byte[]> started(WorkflowEvent started) throws JsonProcessingException {
        RecordHeaders headers = CloudEvents.headers(
                bytes(started.workflowId() + ":" + started.event()),
                TYPE_STARTED,
                now(),
                bytes(started.orgId().toString()));
        return new ProducerRecord<>(
                workflowsTopic, null, started.workflowId(), eventWriter.writeValueAsBytes(started), headers);
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}

package dev.cascade.events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads Cascade's enrichment.results and enrichment.workflows topics in a consumer group of its own and hands every
 * settled task, and every workflow's completion, to a {@link Handler} once. Needs only kafka-clients and
 * jackson-databind. Copy it and put your code in the handler.
 *
 * <p>At least once, end to end: offsets are committed only after the handler has taken the whole poll, and copies of
 * an event (same ce_id) are dropped. The ids are remembered in memory (the last 100 000), which covers the copies
 * Kafka redelivers within a run; if your handler's effects must never repeat across restarts either, store the ce_id
 * with the effect in one transaction and check it there.
 */
public final class EnrichmentEventsConsumer implements AutoCloseable {
    public static final String RESULTS = "enrichment.results";
    public static final String WORKFLOWS = "enrichment.workflows";
    private static final int REMEMBERED_IDS = 100_000;

    /** What to do with each event. Called on the polling thread, once per ce_id. */
    public interface Handler {
        /** One settled task: the result item plus workflow_id, org_id, enrichment_type, charged_credits, trace. */
        void onResult(String orgId, JsonNode result) throws Exception;

        /**
         * A workflow reached a terminal status; {@code summary} holds its counters. It is on another topic than the
         * results, so it may arrive before the workflow's last results: count them against summary.total if you
         * need them all.
         */
        void onWorkflowCompleted(String orgId, JsonNode workflow) throws Exception;
    }

    private final KafkaConsumer<String, String> consumer;
    private final ObjectMapper json = new ObjectMapper();
    private final Set<String> handled = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_IDS;
        }
    });

    /** @param groupId a consumer group of your own, so that you get every record */
    public EnrichmentEventsConsumer(String bootstrapServers, String groupId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        // A new group starts at the oldest record still retained (7 days of results, 30 of lifecycle by default).
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer = new KafkaConsumer<>(props);
        consumer.subscribe(List.of(RESULTS, WORKFLOWS));
    }

    /**
     * Polls once, hands each new event to the handler and commits. When the handler throws, the poll's records are
     * read again by the next call (those already handled are skipped) and the exception is passed on.
     */
    public void pollOnce(Duration timeout, Handler handler) throws Exception {
        ConsumerRecords<String, String> records = consumer.poll(timeout);
        try {
            for (ConsumerRecord<String, String> record : records) {
                handle(record, handler);
            }
        } catch (Exception e) {
            for (TopicPartition partition : records.partitions()) {
                consumer.seek(partition, records.records(partition).get(0).offset());
            }
            throw e;
        }
        if (!records.isEmpty()) {
            consumer.commitSync();
        }
    }

    private void handle(ConsumerRecord<String, String> record, Handler handler) throws Exception {
        String id = header(record, "ce_id");
        String type = header(record, "ce_type");
        if (id == null || type == null || handled.contains(id)) {
            return; // not one of Cascade's events, or a copy of one already handled
        }
        JsonNode value;
        try {
            value = json.readTree(record.value());
        } catch (JsonProcessingException unreadable) {
            // Never let one bad record stop the partition.
            System.err.printf(
                    "Skipping unreadable record %s at %s-%d@%d%n",
                    id, record.topic(), record.partition(), record.offset());
            handled.add(id);
            return;
        }
        switch (type) {
            case "dev.cascade.enrichment.result" -> handler.onResult(header(record, "org_id"), value);
            case "dev.cascade.enrichment.workflow.completed" ->
                handler.onWorkflowCompleted(header(record, "org_id"), value);
            default -> {} // workflow.started, and types added later: not needed here
        }
        handled.add(id);
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        consumer.close();
    }

    /** Prints what arrives: {@code java EnrichmentEventsConsumer [bootstrap-servers] [group-id]}. */
    public static void main(String[] args) throws Exception {
        String servers = args.length > 0 ? args[0] : "127.0.0.1:9092";
        String group = args.length > 1 ? args[1] : "example-enrichment-reader";
        Handler print = new Handler() {
            @Override
            public void onResult(String orgId, JsonNode result) {
                System.out.printf(
                        "%s %s task %s %s email=%s credits=%s%n",
                        orgId,
                        result.path("workflow_id").asText(),
                        result.path("task_id").asText(),
                        result.path("status").asText(),
                        result.path("primary_email").asText("-"),
                        result.path("charged_credits").asText());
            }

            @Override
            public void onWorkflowCompleted(String orgId, JsonNode workflow) {
                System.out.printf(
                        "%s %s %s %s%n",
                        orgId,
                        workflow.path("workflow_id").asText(),
                        workflow.path("status").asText(),
                        workflow.path("summary"));
            }
        };
        try (EnrichmentEventsConsumer events = new EnrichmentEventsConsumer(servers, group)) {
            while (true) {
                events.pollOnce(Duration.ofSeconds(1), print);
            }
        }
    }
}

package dev.cascade.waterfall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;
import jakarta.inject.Inject;

import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.junit.jupiter.api.Test;

import dev.cascade.events.CloudEvents;
import dev.cascade.events.ResultEvent;
import dev.cascade.events.ResultItem;
import dev.cascade.events.TraceStep;
import dev.cascade.testing.KafkaClients;

/**
 * The waterfall's result producer against the real broker: a task record is acknowledged only once its result is on
 * the result topic (keyed by workflow, with its CloudEvents headers), and a result the broker cannot take makes the
 * task record's negative acknowledgement (the dead-letter topic) instead of an acknowledgement.
 */
@QuarkusTest
class ResultPublisherTest {
    private static final String RESULTS = "enrichment.results";

    @Inject
    ResultPublisher publisher;

    @Test
    void aTaskRecordIsAcknowledgedOnceItsResultIsWrittenAndNackedWhenItCannotBe() throws Exception {
        String workflowId = "wf_" + UUID.randomUUID().toString().replace("-", "");
        UUID orgId = UUID.randomUUID();
        List<TrackedTask> tasks = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = KafkaClients.consumer("result-publisher", "earliest")) {
            consumer.subscribe(List.of(RESULTS));
            for (int i = 0; i < 20; i++) {
                TrackedTask task = new TrackedTask();
                tasks.add(task);
                publisher
                        .publish(
                                task.message(), task.taskId.toString(), event(task.taskId, workflowId, orgId, ""), null)
                        .await()
                        .atMost(Duration.ofSeconds(20));
            }
            // Larger than the producer's max.request.size (1 MB): the broker never gets it.
            TrackedTask tooLarge = new TrackedTask();
            publisher
                    .publish(
                            tooLarge.message(),
                            tooLarge.taskId.toString(),
                            event(tooLarge.taskId, workflowId, orgId, "x".repeat(2_000_000)),
                            null)
                    .await()
                    .atMost(Duration.ofSeconds(20));

            assertThat(tasks).allSatisfy(task -> assertThat(task.outcomes).containsExactly("ack"));
            assertThat(tooLarge.outcomes).hasSize(1);
            assertThat(tooLarge.failures).singleElement().isInstanceOf(RecordTooLargeException.class);

            // Every result of the workflow, in the order written (one key, so one partition).
            List<ConsumerRecord<String, String>> written = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (workflowId.equals(record.key())) {
                        written.add(record);
                    }
                });
                return written.size() >= tasks.size();
            });
            assertThat(written)
                    .extracting(record -> header(record, "ce_id"))
                    .containsExactlyElementsOf(tasks.stream()
                            .map(task -> CloudEvents.resultEventId(task.taskId.toString()))
                            .toList());
            assertThat(written).allSatisfy(record -> {
                assertThat(header(record, "ce_type")).isEqualTo(CloudEvents.TYPE_RESULT);
                assertThat(header(record, "org_id")).isEqualTo(orgId.toString());
                assertThat(record.value()).contains("\"workflow_id\":\"" + workflowId + "\"");
            });
        }
    }

    private static ResultEvent event(UUID taskId, String workflowId, UUID orgId, String detail) {
        return new ResultEvent(
                ResultItem.failed(taskId, "internal error", null),
                workflowId,
                orgId,
                "partial",
                0,
                List.of(new TraceStep("sim", "email", "error", 1, detail)));
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A task record's message that records how it was settled. */
    private static final class TrackedTask {
        final UUID taskId = UUID.randomUUID();
        final List<String> outcomes = new CopyOnWriteArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();

        Message<String> message() {
            Function<Metadata, CompletionStage<Void>> ack = metadata -> {
                outcomes.add("ack");
                return CompletableFuture.completedFuture(null);
            };
            BiFunction<Throwable, Metadata, CompletionStage<Void>> nack = (reason, metadata) -> {
                outcomes.add("nack");
                failures.add(reason);
                return CompletableFuture.completedFuture(null);
            };
            return Message.of("{}", Metadata.empty(), ack, nack);
        }
    }
}

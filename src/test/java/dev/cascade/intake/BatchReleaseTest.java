package dev.cascade.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.cascade.events.Contact;
import dev.cascade.events.TaskRecord;
import dev.cascade.events.WorkflowEvent;
import dev.cascade.support.Json;

/**
 * A submit's task records are sent once the sending thread has handed them all over and has nothing else queued, not
 * when the producer's linger runs out. The producer here acknowledges its sends only when flushed (as a real one sends
 * its buffered batches then), so an answer proves the release.
 */
class BatchReleaseTest {
    private static final String TASKS = "enrichment.tasks";
    private static final String WORKFLOWS = "enrichment.workflows";
    private static final Node NODE = new Node(0, "localhost", 9092);
    private static final UUID ORG = UUID.randomUUID();

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closing) {
            closeable.close();
        }
    }

    @Test
    void aSubmitsRecordsAreSentOnceTheLastIsHandedOver() {
        FlushingProducer producer = new FlushingProducer(null);
        TaskPublisher publisher = publisher(producer);

        publish(publisher, "wf_r1", 3).awaitItem(Duration.ofSeconds(10));

        // One release, after the three task records and the `started` record were all with the producer.
        assertThat(producer.flushedAt).containsExactly(4);
    }

    @Test
    void submitsQueuedBehindEachOtherAreReleasedTogetherAfterTheLast() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        FlushingProducer producer = new FlushingProducer(held);
        TaskPublisher publisher = publisher(producer);

        List<UniAssertSubscriber<TaskPublisher.Started>> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(publish(publisher, "wf_b" + i, 2));
        }
        // The first submit's first record is being handed over; the other two wait behind it on the sending thread.
        assertThat(producer.holding.await(10, TimeUnit.SECONDS)).isTrue();
        held.countDown();

        answers.forEach(answer -> answer.awaitItem(Duration.ofSeconds(10)));
        assertThat(producer.flushedAt).containsExactly(3 * 3);
    }

    @Test
    void aQueuedPreparationDoesNotHoldBackTheRelease() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        FlushingProducer producer = new FlushingProducer(held);
        TaskPublisher publisher = publisher(producer);
        CountDownLatch preparing = new CountDownLatch(1);
        CountDownLatch prepared = new CountDownLatch(1);

        UniAssertSubscriber<TaskPublisher.Started> answer = publish(publisher, "wf_p1", 2);
        assertThat(producer.holding.await(10, TimeUnit.SECONDS)).isTrue();
        // The next submit's preparation, queued behind this publish, takes its time (its statement still runs).
        publisher.prepare(new SlowList(tasks("wf_p2", 2), preparing, prepared));
        held.countDown();

        answer.awaitItem(Duration.ofSeconds(10));
        assertThat(preparing.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(producer.flushedAt).containsExactly(3);
        prepared.countDown();
    }

    @Test
    void closingInterruptsAFlushThatWaits() throws Exception {
        CountDownLatch inFlush = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        MockProducer<String, byte[]> producer =
                new MockProducer<>(cluster(), true, null, new StringSerializer(), new ByteArraySerializer()) {
                    @Override
                    public void flush() {
                        inFlush.countDown();
                        try {
                            // The broker never answers.
                            new CountDownLatch(1).await();
                        } catch (InterruptedException stopped) {
                            interrupted.countDown();
                            throw new org.apache.kafka.common.errors.InterruptException(stopped);
                        }
                    }
                };
        BatchRelease release = new BatchRelease(producer, "test-release");
        release.request();
        assertThat(inFlush.await(10, TimeUnit.SECONDS)).isTrue();

        release.close();

        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !release.running());
    }

    @Test
    void requestsDuringAFlushAreAnsweredByOneMoreFlush() throws Exception {
        CountDownLatch inFlush = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        List<Integer> flushes = new CopyOnWriteArrayList<>();
        MockProducer<String, byte[]> producer =
                new MockProducer<>(cluster(), true, null, new StringSerializer(), new ByteArraySerializer()) {
                    @Override
                    public void flush() {
                        flushes.add(flushes.size());
                        inFlush.countDown();
                        try {
                            finish.await();
                        } catch (InterruptedException interrupted) {
                            Thread.currentThread().interrupt();
                        }
                    }
                };
        BatchRelease release = new BatchRelease(producer, "test-release");
        closing.add(release);

        release.request();
        assertThat(inFlush.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 5; i++) {
            release.request();
        }
        finish.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> flushes.size() == 2);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> flushes.size() == 2);
    }

    private TaskPublisher publisher(MockProducer<String, byte[]> producer) {
        TaskPublisher publisher = new TaskPublisher(
                producer,
                TASKS,
                WORKFLOWS,
                Duration.ofSeconds(30),
                new Json(new ObjectMapper().findAndRegisterModules()),
                new SimpleMeterRegistry(),
                null,
                workflowId -> {},
                true);
        closing.add(publisher::close);
        await().until(publisher::startedWritable);
        return publisher;
    }

    private static UniAssertSubscriber<TaskPublisher.Started> publish(
            TaskPublisher publisher, String workflowId, int contacts) {
        WorkflowEvent started =
                new WorkflowEvent("started", workflowId, ORG, "email", "pending", contacts, null, "now", Map.of());
        return publisher
                .publish(new TaskPublisher.Prepared(tasks(workflowId, contacts), null), started, null, outcome -> {})
                .subscribe()
                .withSubscriber(UniAssertSubscriber.create());
    }

    private static List<TaskRecord> tasks(String workflowId, int contacts) {
        List<TaskRecord> tasks = new ArrayList<>();
        for (int i = 0; i < contacts; i++) {
            tasks.add(new TaskRecord(
                    UUID.randomUUID(),
                    workflowId,
                    ORG,
                    UUID.randomUUID(),
                    i,
                    "email",
                    new Contact("https://www.linkedin.com/in/someone-" + i, null, null, null, null),
                    null,
                    null,
                    null,
                    null,
                    null));
        }
        return tasks;
    }

    private static Cluster cluster() {
        List<PartitionInfo> partitions = new ArrayList<>();
        for (String topic : List.of(TASKS, WORKFLOWS)) {
            partitions.add(new PartitionInfo(topic, 0, NODE, new Node[] {NODE}, new Node[] {NODE}));
        }
        return new Cluster("test", List.of(NODE), partitions, Set.of(), Set.of());
    }

    /**
     * Acknowledges sends only when flushed (MockProducer's flush completes every pending send) and notes how many
     * records it held at each flush; with {@code held}, its first send waits for it.
     */
    private static final class FlushingProducer extends MockProducer<String, byte[]> {
        final List<Integer> flushedAt = new CopyOnWriteArrayList<>();
        final CountDownLatch holding = new CountDownLatch(1);
        private final CountDownLatch held;

        FlushingProducer(CountDownLatch held) {
            super(cluster(), false, null, new StringSerializer(), new ByteArraySerializer());
            this.held = held;
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
            if (held != null && holding.getCount() > 0) {
                holding.countDown();
                try {
                    held.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.send(record, callback);
        }

        @Override
        public synchronized void flush() {
            flushedAt.add(history().size());
            super.flush();
        }
    }

    /** Task records whose serialisation (by the preparation) waits for {@code prepared} once it started. */
    private static final class SlowList extends java.util.AbstractList<TaskRecord> {
        private final List<TaskRecord> tasks;
        private final CountDownLatch preparing;
        private final CountDownLatch prepared;

        SlowList(List<TaskRecord> tasks, CountDownLatch preparing, CountDownLatch prepared) {
            this.tasks = tasks;
            this.preparing = preparing;
            this.prepared = prepared;
        }

        @Override
        public TaskRecord get(int index) {
            return tasks.get(index);
        }

        @Override
        public int size() {
            return tasks.size();
        }

        @Override
        public java.util.Iterator<TaskRecord> iterator() {
            preparing.countDown();
            try {
                prepared.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return tasks.iterator();
        }
    }
}

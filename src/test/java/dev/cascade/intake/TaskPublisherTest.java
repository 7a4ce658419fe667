package dev.cascade.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

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
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.cascade.events.Contact;
import dev.cascade.events.TaskRecord;
import dev.cascade.events.WorkflowEvent;
import dev.cascade.support.Json;

/**
 * The publisher over a {@code MockProducer}, whose sends are acknowledged (or refused) one at a time by the test: the
 * dispatch answers from the task records' acknowledgements alone, whatever becomes of the `started` record.
 */
class TaskPublisherTest {
    private static final String TASKS = "enrichment.tasks";
    private static final String WORKFLOWS = "enrichment.workflows";
    private static final Node NODE = new Node(0, "localhost", 9092);
    private static final UUID ORG = UUID.randomUUID();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<String> lateStarted = new CopyOnWriteArrayList<>();
    private final List<TaskPublisher.Started> dispatched = new CopyOnWriteArrayList<>();
    private TaskPublisher publisher;

    @AfterEach
    void close() {
        if (publisher != null) {
            publisher.close();
        }
    }

    @Test
    void answersOnceTheTaskRecordsAreAckedWhileTheStartedRecordIsStillInFlight() {
        MockProducer<String, byte[]> producer = producer(true);
        publisher = ready(producer, Duration.ofSeconds(15));

        UniAssertSubscriber<TaskPublisher.Started> answer = publish("wf_1", 3);
        await().until(() -> producer.history().size() == 4);
        assertThat(producer.history().get(3).topic()).isEqualTo(WORKFLOWS);
        assertThat(producer.history().get(3).key()).isEqualTo("wf_1");
        for (int i = 0; i < 3; i++) {
            assertThat(producer.completeNext()).isTrue();
        }

        answer.awaitItem().assertItem(TaskPublisher.Started.IN_FLIGHT);
        assertThat(lateStarted).isEmpty();
        // Its acknowledgement, after the answer, is confirmed on its own, once.
        assertThat(producer.completeNext()).isTrue();
        assertThat(lateStarted).containsExactly("wf_1");
        assertThat(meters.counter("cascade.lifecycle.started.deferred").count()).isZero();
    }

    @Test
    void aRefusedStartedRecordNeitherFailsTheDispatchNorIsConfirmed() {
        MockProducer<String, byte[]> producer = producer(true);
        publisher = ready(producer, Duration.ofSeconds(15));

        UniAssertSubscriber<TaskPublisher.Started> answer = publish("wf_2", 2);
        await().until(() -> producer.history().size() == 3);
        producer.completeNext();
        producer.completeNext();
        answer.awaitItem().assertItem(TaskPublisher.Started.IN_FLIGHT);
        assertThat(producer.errorNext(new UnknownTopicOrPartitionException("no workflows topic")))
                .isTrue();

        assertThat(lateStarted).isEmpty();
        assertThat(meters.counter("cascade.lifecycle.started.deferred").count()).isEqualTo(1.0);
        // The topic is probed again (it is known to the cluster here) before the next one goes on this producer.
        await().until(publisher::startedWritable);
    }

    @Test
    void anUnknownWorkflowsTopicNeverHoldsTheSendingThreadTheChannelSendsTheRecord() {
        // A cluster that knows only the tasks topic: the probe finds no partitions for the workflows topic.
        MockProducer<String, byte[]> producer =
                new MockProducer<>(cluster(TASKS), true, null, new StringSerializer(), new ByteArraySerializer());
        publisher = publisher(producer, Duration.ofSeconds(15));

        assertThat(publisher.startedWritable()).isFalse();
        publish("wf_3", 2).awaitItem().assertItem(TaskPublisher.Started.NOT_SENT);

        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly(TASKS, TASKS);
        assertThat(lateStarted).isEmpty();
    }

    @Test
    void aFailedDispatchSendsNoStartedRecord() {
        MockProducer<String, byte[]> producer = producer(true);
        // A dispatch timeout passed before anything could be sent: the task records fail, the started record stays.
        publisher = ready(producer, Duration.ofNanos(1));

        publish("wf_4", 2).awaitFailure();

        assertThat(producer.history()).isEmpty();
        assertThat(lateStarted).isEmpty();
    }

    @Test
    void sendsQueuedBeforeShutdownReachTheProducer() {
        MockProducer<String, byte[]> producer = producer(false);
        publisher = ready(producer, Duration.ofSeconds(15));
        List<UniAssertSubscriber<TaskPublisher.Started>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(publish("wf_q" + i, 5));
        }

        publisher.close();
        publisher = null;

        assertThat(producer.history()).hasSize(20 * 6);
        // Acknowledged as sent here: each dispatch answered with its last task record, its started record after it.
        answers.forEach(answer -> answer.awaitItem().assertItem(TaskPublisher.Started.IN_FLIGHT));
        assertThat(lateStarted).hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    void aRefusedTaskRecordFailsTheDispatch() {
        MockProducer<String, byte[]> producer = producer(true);
        publisher = ready(producer, Duration.ofSeconds(15));

        UniAssertSubscriber<TaskPublisher.Started> answer = publish("wf_5", 2);
        await().until(() -> producer.history().size() == 3);
        producer.completeNext();
        producer.errorNext(new IllegalStateException("record refused"));

        assertThatThrownBy(() -> answer.awaitItem()).hasMessageContaining("record refused");
        // The started record, acknowledged after the failed dispatch, is still marked as published.
        producer.completeNext();
        assertThat(lateStarted).containsExactly("wf_5");
    }

    @Test
    void aStartedRecordReportedInFlightIsSentEvenWhenTheDeadlinePassesMeanwhile() {
        // The task record is acknowledged at once, but its send returns only after the dispatch deadline passed.
        Duration deadline = Duration.ofSeconds(2);
        CountDownLatch taskSend = new CountDownLatch(1);
        ScriptedProducer producer = new ScriptedProducer(true, taskSend);
        publisher = ready(producer, deadline);
        long published = System.nanoTime();

        publish("wf_6", 1).awaitItem().assertItem(TaskPublisher.Started.IN_FLIGHT);
        await().atMost(deadline.multipliedBy(2))
                .until(() -> System.nanoTime() - published > deadline.toNanos() + 50_000_000L);
        taskSend.countDown();

        // The answer promised the record: it goes, and its acknowledgement is confirmed on its own.
        await().until(() -> lateStarted.size() == 1);
        assertThat(producer.history().get(1).topic()).isEqualTo(WORKFLOWS);
        assertThat(lateStarted).containsExactly("wf_6");
    }

    @Test
    void aCallerThatStopsListeningBeforeTheAcknowledgementsStillHasItsDispatchConfirmed() {
        ScriptedProducer producer = new ScriptedProducer(false, null);
        publisher = ready(producer, Duration.ofSeconds(15));

        UniAssertSubscriber<TaskPublisher.Started> answer = publish("wf_7", 2);
        await().until(() -> producer.history().size() == 3);
        producer.ack(2);
        // The caller stops listening (its connection closed) before the task records are acknowledged.
        answer.cancel();
        producer.ack(0);
        producer.ack(1);

        // Cancelling decides nothing: the records were acknowledged in time, so what follows a dispatch happens, and
        // its confirmation marks the `started` record too (not a second time on its own).
        assertThat(dispatched).containsExactly(TaskPublisher.Started.ACKED);
        assertThat(lateStarted).isEmpty();
        answer.assertNotTerminated();
    }

    @Test
    void aFollowUpThatThrowsStillAnswers() {
        MockProducer<String, byte[]> producer = producer(false);
        publisher = ready(producer, Duration.ofSeconds(15));

        UniAssertSubscriber<TaskPublisher.Started> answer = publish("wf_11", 1, outcome -> {
            throw new IllegalStateException("follow-up broken");
        });

        assertThat(answer.awaitFailure().getFailure()).hasMessage("follow-up broken");
        // The follow-up never confirmed the `started` record: once the broker acknowledges it (on the sending
        // thread, after the answer), it is confirmed on its own.
        await().until(() -> !lateStarted.isEmpty());
        assertThat(lateStarted).containsExactly("wf_11");
    }

    @Test
    void aDispatchWithoutRecordsIsDispatchedAtOnce() {
        MockProducer<String, byte[]> producer = producer(true);
        publisher = ready(producer, Duration.ofSeconds(15));

        publish("wf_10", 0).awaitItem().assertItem(TaskPublisher.Started.NOT_SENT);

        // What follows a dispatch still happens (the sweeper's confirmation of a stalled workflow with no lost task).
        assertThat(dispatched).containsExactly(TaskPublisher.Started.NOT_SENT);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void aDispatchNotAcknowledgedInTimeFailsAndItsStartedRecordIsConfirmedOnItsOwn() {
        ScriptedProducer producer = new ScriptedProducer(false, null);
        // Long enough for the sending thread to hand the three records over even on a loaded machine.
        publisher = ready(producer, Duration.ofSeconds(5));

        UniAssertSubscriber<TaskPublisher.Started> answer = publish("wf_8", 2);
        await().until(() -> producer.history().size() == 3);

        // The publisher keeps the deadline itself: the caller needs no timeout of its own.
        assertThat(answer.awaitFailure().getFailure()).isInstanceOf(TimeoutException.class);
        producer.ack(2);
        producer.ack(0);
        producer.ack(1);

        assertThat(dispatched).isEmpty();
        assertThat(lateStarted).containsExactly("wf_8");
    }

    @Test
    void aCallerThatStopsListeningOnceTheAnswerIsDecidedLosesNothing() {
        ScriptedProducer producer = new ScriptedProducer(false, null);
        publisher = ready(producer, Duration.ofSeconds(15));
        List<UniAssertSubscriber<TaskPublisher.Started>> answers = new CopyOnWriteArrayList<>();
        // The caller's cancellation arrives between the decision and the delivery of the answer (as a timeout of its
        // own or a closed connection could): what follows the dispatch was told before, so it is not lost.
        UniAssertSubscriber<TaskPublisher.Started> answer = publish("wf_9", 1, outcome -> {
            dispatched.add(outcome);
            answers.forEach(UniAssertSubscriber::cancel);
        });
        answers.add(answer);
        await().until(() -> producer.history().size() == 2);

        producer.ack(1);
        producer.ack(0);

        assertThat(dispatched).containsExactly(TaskPublisher.Started.ACKED);
        answer.assertNotTerminated();
        // The dispatch's confirmation marks the `started` record: it is not confirmed a second time.
        assertThat(lateStarted).isEmpty();
    }

    private UniAssertSubscriber<TaskPublisher.Started> publish(String workflowId, int contacts) {
        return publish(workflowId, contacts, dispatched::add);
    }

    /** {@code followUp}: what follows the dispatch ({@code dispatched} in the publisher). */
    private UniAssertSubscriber<TaskPublisher.Started> publish(
            String workflowId, int contacts, Consumer<TaskPublisher.Started> followUp) {
        List<TaskRecord> tasks = new ArrayList<>();
        for (int i = 0; i < contacts; i++) {
            tasks.add(task(workflowId, i));
        }
        return publisher
                .publish(new TaskPublisher.Prepared(tasks, null), started(workflowId, contacts), null, followUp)
                .subscribe()
                .withSubscriber(UniAssertSubscriber.create());
    }

    private static TaskRecord task(String workflowId, int index) {
        return new TaskRecord(
                UUID.randomUUID(),
                workflowId,
                ORG,
                UUID.randomUUID(),
                index,
                "email",
                new Contact("https://www.linkedin.com/in/someone-" + index, null, null, null, null),
                null,
                null,
                null,
                null,
                null);
    }

    private static WorkflowEvent started(String workflowId, int contacts) {
        return new WorkflowEvent("started", workflowId, ORG, "email", "pending", contacts, null, "now", Map.of());
    }

    /** {@code manual}: acknowledged only by {@code completeNext}/{@code errorNext}; else at once. */
    private static MockProducer<String, byte[]> producer(boolean manual) {
        return new MockProducer<>(
                cluster(TASKS, WORKFLOWS), !manual, null, new StringSerializer(), new ByteArraySerializer());
    }

    private static Cluster cluster(String... topics) {
        List<PartitionInfo> partitions = new ArrayList<>();
        for (String topic : topics) {
            partitions.add(new PartitionInfo(topic, 0, NODE, new Node[] {NODE}, new Node[] {NODE}));
        }
        return new Cluster("test", List.of(NODE), partitions, java.util.Set.of(), java.util.Set.of());
    }

    /** A publisher whose probe found the workflows topic: `started` records go on its producer. */
    private TaskPublisher ready(MockProducer<String, byte[]> producer, Duration deadline) {
        TaskPublisher ready = publisher(producer, deadline);
        await().until(ready::startedWritable);
        return ready;
    }

    private TaskPublisher publisher(MockProducer<String, byte[]> producer, Duration deadline) {
        return new TaskPublisher(
                producer,
                TASKS,
                WORKFLOWS,
                deadline,
                new Json(new ObjectMapper().findAndRegisterModules()),
                meters,
                null,
                lateStarted::add,
                false);
    }
    /**
     * Keeps each send's callback for the test to call in any order ({@link #ack}), or calls it at once
     * ({@code ackAtOnce}); a send of a task record returns only once {@code taskSendHeld} is released (when given), as
     * when the producer's buffer is full.
     */
    private static final class ScriptedProducer extends MockProducer<String, byte[]> {
        private final boolean ackAtOnce;
        private final CountDownLatch taskSendHeld;
        private final List<Callback> callbacks = new CopyOnWriteArrayList<>();

        ScriptedProducer(boolean ackAtOnce, CountDownLatch taskSendHeld) {
            super(cluster(TASKS, WORKFLOWS), true, null, new StringSerializer(), new ByteArraySerializer());
            this.ackAtOnce = ackAtOnce;
            this.taskSendHeld = taskSendHeld;
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
            Future<RecordMetadata> sent;
            synchronized (this) {
                sent = super.send(record, null);
                callbacks.add(callback);
            }
            if (ackAtOnce) {
                callback.onCompletion(null, null);
            }
            if (record.topic().equals(TASKS) && taskSendHeld != null) {
                try {
                    taskSendHeld.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return sent;
        }

        void ack(int send) {
            callbacks.get(send).onCompletion(null, null);
        }
    }
}

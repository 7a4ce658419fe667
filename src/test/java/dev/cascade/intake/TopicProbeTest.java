package dev.cascade.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The probe of the workflows topic: ready once the producer knows its partitions, probed again on a recheck. */
class TopicProbeTest {
    private static final String TOPIC = "enrichment.workflows";
    private static final Node NODE = new Node(0, "localhost", 9092);

    private TopicProbe probe;

    @AfterEach
    void close() {
        if (probe != null) {
            probe.close();
        }
    }

    @Test
    void probesAgainUntilTheTopicHasPartitions() {
        // The broker knows the topic only from the third metadata answer on.
        ProbedProducer producer = new ProbedProducer(2, null);
        probe = new TopicProbe(producer, TOPIC, Duration.ofMillis(20));

        await().until(probe::ready);
        assertThat(producer.probes.get()).isEqualTo(3);
    }

    @Test
    void aRecheckWhileAProbeRunsIsFollowedByAnotherProbe() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ProbedProducer producer = new ProbedProducer(0, release);
        probe = new TopicProbe(producer, TOPIC, Duration.ofMillis(20));
        await().until(() -> producer.probes.get() == 1);

        // A send was refused while the first probe waited for its answer.
        probe.recheck();
        release.countDown();

        await().until(() -> producer.probes.get() == 2);
        await().until(probe::ready);
    }

    @Test
    void aRecheckAfterReadyProbesAgain() {
        ProbedProducer producer = new ProbedProducer(0, null);
        probe = new TopicProbe(producer, TOPIC, Duration.ofMillis(20));
        await().until(probe::ready);

        probe.recheck();

        await().until(() -> producer.probes.get() == 2);
        await().until(probe::ready);
    }

    /** Answers no partitions for the first {@code unknown} probes; the first probe waits for {@code release}. */
    private static final class ProbedProducer extends MockProducer<String, byte[]> {
        private final AtomicInteger probes = new AtomicInteger();
        private final int unknown;
        private final CountDownLatch release;

        ProbedProducer(int unknown, CountDownLatch release) {
            super(
                    new Cluster(
                            "test",
                            List.of(NODE),
                            List.of(new PartitionInfo(TOPIC, 0, NODE, new Node[] {NODE}, new Node[] {NODE})),
                            java.util.Set.of(),
                            java.util.Set.of()),
                    true,
                    null,
                    new StringSerializer(),
                    new ByteArraySerializer());
            this.unknown = unknown;
            this.release = release;
        }

        @Override
        public List<PartitionInfo> partitionsFor(String topic) {
            int probe = probes.incrementAndGet();
            if (probe == 1 && release != null) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return probe <= unknown ? List.of() : super.partitionsFor(topic);
        }
    }
}

package dev.cascade.intake;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Task records go to a topic the broker refuses every record on ({@link DispatchGiveUpTest} sets its
 * {@code max.message.bytes} to 1), so no workflow can be dispatched; the sweeper gives up after two attempts or an
 * hour.
 */
public class UnwritableTasksProfile implements QuarkusTestProfile {
    static final String TOPIC = "enrichment.tasks.unwritable";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "cascade.topics.tasks", TOPIC,
                "cascade.dispatch.max-attempts", "2",
                "cascade.dispatch.give-up-after", "1h",
                "cascade.dispatch.retry-interval", "1s",
                // The producer splits and retries a refused batch until its delivery timeout: keep that short, and
                // its WARN line per retry out of the log.
                "cascade.intake.dispatch-timeout", "3s",
                "quarkus.log.category.\"org.apache.kafka.clients.producer.internals.Sender\".level", "ERROR");
    }
}

package dev.cascade.aggregation;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

/**
 * The gateway's own share of a contact's latency, as histograms on {@code /q/metrics}:
 * {@code cascade_task_settle_delay_seconds} from the result record's production (its Kafka create time) until the
 * settle that took it committed, and {@code cascade_task_turnaround_seconds} from the submit (the task row's creation)
 * until then. Both are observed once per settled task, after the commit; duplicates that settle nothing are not
 * counted. Clocks: the producing and the settling process may differ, so across hosts the settle delay includes
 * their clock skew.
 *
 * <p>The aggregator's own part of the settle delay: {@code cascade_aggregator_settles_seconds} (one settle, start to
 * commit), {@code cascade_aggregator_settle_results} (result records per settle) and
 * {@code cascade_aggregator_settle_wait_seconds} (a polled batch's wait for its settle to start). What is left of a
 * settle delay is the result's way from its production to the aggregator's poll.
 */
@ApplicationScoped
public class SettleTiming {
    private final Timer settleDelay;
    private final Timer turnaround;
    private final Timer settles;
    private final DistributionSummary settleResults;
    private final Timer settleWait;

    public SettleTiming(MeterRegistry meters) {
        this.settleDelay = histogram(
                meters,
                "cascade.task.settle.delay",
                "From a result record's production to the commit that settled its task",
                Duration.ofMinutes(2));
        this.turnaround = histogram(
                meters,
                "cascade.task.turnaround",
                "From the submit that created a task to the commit that settled it",
                Duration.ofHours(1));
        this.settles = histogram(
                meters,
                "cascade.aggregator.settles",
                "One settle of the aggregator, from its start to the commit of its results (retries and a refused"
                        + " batch's one-by-one settles included)",
                Duration.ofMinutes(2));
        this.settleWait = histogram(
                meters,
                "cascade.aggregator.settle.wait",
                "How long a polled batch of result records waited for the settle that took it to start (behind the"
                        + " settle running when it arrived)",
                Duration.ofMinutes(2));
        this.settleResults = DistributionSummary.builder("cascade.aggregator.settle.results")
                .description("Result records one settle of the aggregator took (duplicates included)")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(5000.0)
                .register(meters);
    }

    /** A timer with histogram buckets from 1 ms to {@code max}, so that percentiles are computed across pods. */
    private static Timer histogram(MeterRegistry meters, String name, String description, Duration max) {
        return Timer.builder(name)
                .description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(max)
                .register(meters);
    }

    /** One settle ended (committed, or given up on a batch the database refuses): its results and duration. */
    void settled(int results, long nanos) {
        settles.record(nanos, TimeUnit.NANOSECONDS);
        settleResults.record(results);
    }

    /** A polled batch's wait for the settle that took it. */
    void waited(long nanos) {
        settleWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Records the timing row of a committed settle (epoch milliseconds per settled task). */
    void observe(RowSet<Row> rows) {
        long now = System.currentTimeMillis();
        for (Row row : rows) {
            if (!"timing".equals(row.getString("kind"))) {
                continue;
            }
            Double[] submitted = row.getArrayOfDoubles("submitted");
            Double[] produced = row.getArrayOfDoubles("produced");
            for (int i = 0; i < submitted.length; i++) {
                if (submitted[i] != null) {
                    turnaround.record(Math.max(0, now - submitted[i].longValue()), TimeUnit.MILLISECONDS);
                }
                if (produced != null && produced[i] != null) {
                    settleDelay.record(Math.max(0, now - produced[i].longValue()), TimeUnit.MILLISECONDS);
                }
            }
        }
    }
}

package dev.cascade.aggregation;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jakarta.enterprise.context.ApplicationScoped;

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
 */
@ApplicationScoped
public class SettleTiming {
    private final Timer settleDelay;
    private final Timer turnaround;

    public SettleTiming(MeterRegistry meters) {
        this.settleDelay = Timer.builder("cascade.task.settle.delay")
                .description("From a result record's production to the commit that settled its task")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2))
                .register(meters);
        this.turnaround = Timer.builder("cascade.task.turnaround")
                .description("From the submit that created a task to the commit that settled it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(meters);
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

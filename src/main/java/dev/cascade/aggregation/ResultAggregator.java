package dev.cascade.aggregation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.cascade.config.CascadeConfig;
import dev.cascade.events.Channels;
import dev.cascade.support.Json;
import dev.cascade.telemetry.TraceHeaders;
import dev.cascade.telemetry.Tracing;

/**
 * Settles tasks from result records in transactions of whole polls ({@link GroupSettle} merges the polls that arrive
 * while a settle runs into the next one). One statement settles every task of the batch with a conditional update
 * (a task already settled is skipped, so a duplicate record changes nothing), tallies the counters of the workflows it
 * touched, decides a terminal status exactly once (only the statement that settles a workflow's last task can), and
 * records the completed webhook in the same transaction. Its statements are keyed by the task ids of result records
 * (our own topic, or a cancel's tasks of the organisation's workflow), never by an id from a request, so they do not
 * filter by organisation.
 */
@ApplicationScoped
public class ResultAggregator {
    private final Pool pool;
    private final CompletionListeners listeners;
    private final SettleTiming timing;
    private final ResultRecords reader;
    private final ContactEventCaps caps;
    private final Tracing tracing;
    private final String topic;
    private final GroupSettle group;

    public ResultAggregator(
            Pool pool,
            Json json,
            CompletionListeners listeners,
            SettleTiming timing,
            ContactEventCaps caps,
            Tracing tracing,
            CascadeConfig config) {
        this.tracing = tracing;
        this.topic = config.topics().results();
        this.pool = pool;
        this.reader = new ResultRecords(json);
        this.listeners = listeners;
        this.timing = timing;
        this.caps = caps;
        this.group = new GroupSettle(Math.max(1, config.aggregator().maxBatch()), this::timedSettle, timing::waited);
    }

    /**
     * Takes one polled batch of result records into the next settle ({@link GroupSettle}); the batch is acknowledged
     * once that settle has committed.
     */
    @Incoming(Channels.RESULTS_IN)
    public Uni<Void> settle(KafkaRecordBatch<String, String> batch) {
        ConsumerRecords<String, String> polled = batch.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .map(metadata -> (ConsumerRecords<String, String>) metadata.getRecords())
                .orElse(null);
        if (polled == null) {
            return Uni.createFrom().completionStage(batch.ack());
        }
        List<String> records = new ArrayList<>(polled.count());
        List<Long> produced = new ArrayList<>(polled.count());
        for (ConsumerRecord<String, String> record : polled) {
            records.add(record.value());
            produced.add(record.timestampType() == TimestampType.CREATE_TIME ? record.timestamp() : null);
        }
        List<Span> spans = tracing.enabled() ? settleSpans(polled) : List.of();
        return group.offer(new GroupSettle.Polled(records, produced, failure -> {
            try {
                for (Span span : spans) {
                    Tracing.end(span, failure);
                }
            } finally {
                if (failure == null) {
                    batch.ack();
                } else {
                    batch.nack(failure);
                }
            }
        }));
    }

    /**
     * The spans of one batch (tracing on). A batch holds the results of many workflows, so it is a trace of its own
     * (`process enrichment.results`, linked to the records it settles, up to the SDK's link limit), and each record
     * that carries a trace context gets a `settle` span in its workflow's trace, parented to the record's context
     * and linked to the batch span: a workflow's trace shows each of its task's settles, the batch trace shows what
     * was settled together. All of them last from the poll until the end of the transaction that settled it (with its
     * retries), so they include the wait for the settle that ran before.
     */
    private List<Span> settleSpans(ConsumerRecords<String, String> polled) {
        List<Context> parents = new ArrayList<>(polled.count());
        SpanBuilder batch = tracing.builder("process " + topic, SpanKind.CONSUMER, null)
                .setAttribute(Tracing.MESSAGING_SYSTEM, "kafka")
                .setAttribute(Tracing.DESTINATION, topic)
                .setAttribute(Tracing.OPERATION, "process")
                .setAttribute(Tracing.BATCH_COUNT, (long) polled.count());
        for (ConsumerRecord<String, String> record : polled) {
            Context parent = TraceHeaders.extract(record.headers());
            parents.add(parent);
            SpanContext linked = Span.fromContext(parent).getSpanContext();
            if (linked.isValid()) {
                batch.addLink(linked);
            }
        }
        Span batchSpan = batch.startSpan();
        List<Span> spans = new ArrayList<>(polled.count() + 1);
        spans.add(batchSpan);
        int i = 0;
        for (ConsumerRecord<String, String> record : polled) {
            Context parent = parents.get(i++);
            if (!Span.fromContext(parent).getSpanContext().isValid()) {
                continue;
            }
            SpanBuilder settle = tracing.builder("settle", SpanKind.INTERNAL, parent)
                    .addLink(batchSpan.getSpanContext())
                    .setAttribute(Tracing.WORKFLOW_ID, String.valueOf(record.key()));
            Header id = record.headers().lastHeader("ce_id");
            if (id != null && id.value() != null) {
                String eventId = new String(id.value(), StandardCharsets.UTF_8);
                settle.setAttribute(
                        Tracing.TASK_ID,
                        eventId.endsWith(":result") ? eventId.substring(0, eventId.length() - 7) : eventId);
            }
            spans.add(settle.startSpan());
        }
        return spans;
    }

    /** One settle of merged polls, timed for {@link SettleTiming} however it ends. */
    private Uni<Void> timedSettle(List<String> records, List<Long> produced) {
        long started = System.nanoTime();
        return settleRecords(records, produced)
                .onTermination()
                .invoke(() -> timing.settled(records.size(), System.nanoTime() - started));
    }

    private Uni<Void> settleRecords(List<String> records, List<Long> produced) {
        return settleBatch(records, produced)
                .onFailure(ResultAggregator::isDataError)
                .recoverWithUni(failure -> {
                    // A record the database refuses must not block the records around it: settle them one by one, in
                    // the batch's order (settle_seq follows it), and settle the refused one's task `failed` instead.
                    Log.warnf(
                            "A batch of %d results was refused (%s); settling them one by one",
                            records.size(), failure.getMessage());
                    return Multi.createFrom()
                            .iterable(records)
                            .onItem()
                            .transformToUniAndConcatenate(this::settleAlone)
                            .collect()
                            .last()
                            .replaceWithVoid();
                });
    }

    /**
     * Settles one record; when the database refuses it, settles its task `failed` with the reason instead, through the
     * same statement (so its hold is released, its workflow's counters move and its webhook is recorded exactly as for
     * any other settlement). Skipping it would leave the task unsettled: its hold kept, its workflow never finished,
     * and the stall sweeper re-running its paid provider calls every stall timeout.
     */
    private Uni<Void> settleAlone(String record) {
        return settleBatch(List.of(record), null)
                .onFailure(ResultAggregator::isDataError)
                .recoverWithUni(refused -> {
                    String sqlState = refused instanceof PgException pg ? pg.getSqlState() : "?";
                    String replacement = reader.refused(record, sqlState);
                    if (replacement == null) {
                        Log.errorf("Skipping a result record the database refuses: %s", refused.getMessage());
                        return Uni.createFrom().voidItem();
                    }
                    Log.errorf(
                            "The database refuses the result of a task (%s); it settles failed: %s",
                            sqlState, refused.getMessage());
                    return settleBatch(List.of(replacement), null)
                            .onFailure(ResultAggregator::isDataError)
                            .recoverWithItem(again -> {
                                Log.errorf(
                                        "Skipping a result record the database refuses even as failed: %s",
                                        again.getMessage());
                                return null;
                            });
                });
    }

    private Uni<Void> settleBatch(List<String> records, List<Long> produced) {
        Tuple batch = toBatch(records, produced);
        if (batch == null) {
            return Uni.createFrom().voidItem();
        }
        return pool.withConnection(conn -> settleAtOnce(conn, batch))
                .onFailure(failure -> !isDataError(failure))
                .invoke(failure -> Log.warnf(
                        "Settling a batch of %d results failed, retrying: %s", records.size(), failure.getMessage()))
                .onFailure(failure -> !isDataError(failure))
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
                .indefinitely()
                .invoke(this::announce)
                .invoke(timing::observe)
                .invoke(caps::observe)
                .replaceWithVoid();
    }

    /**
     * Settles result records inside the caller's transaction (cancel uses it); answers the workflows that became
     * terminal, for {@link #announce} once the transaction has committed.
     */
    Uni<List<CompletedWorkflow>> settleInTransaction(SqlConnection conn, List<String> records) {
        Tuple batch = toBatch(records, null);
        if (batch == null) {
            return Uni.createFrom().item(List.of());
        }
        return settleIn(conn, batch).map(ResultAggregator::completed);
    }

    /**
     * The whole settle transaction in one round trip: {@code BEGIN}, the lock, the settle statement and {@code COMMIT}
     * are sent together on one connection, which runs them in order (the settle statement starts, with a new snapshot,
     * once the locks are held). A failed statement aborts the transaction, the {@code COMMIT} after it then rolls back,
     * and the statement's failure is this one's. Before, {@code BEGIN} and {@code COMMIT} each waited for a round trip
     * of their own, through the event loop, for nothing: the statements between them never depend on an answer.
     */
    private Uni<RowSet<Row>> settleAtOnce(SqlConnection conn, Tuple batch) {
        Uni<RowSet<Row>> begin = conn.query("BEGIN").execute();
        Uni<RowSet<Row>> settled = settleIn(conn, batch);
        Uni<RowSet<Row>> commit = conn.query("COMMIT").execute();
        return Uni.combine()
                .all()
                .unis(begin, settled, commit)
                .collectFailures()
                .with((started, rows, committed) -> rows);
    }

    private Uni<RowSet<Row>> settleIn(SqlConnection conn, Tuple batch) {
        String[] workflows = batch.getArrayOfStrings(WORKFLOWS);
        Uni<RowSet<Row>> locked = workflows == null
                ? conn.preparedQuery(SettleStatements.LOCK_SQL).execute(Tuple.of(batch.getArrayOfUUIDs(0)))
                : conn.preparedQuery(SettleStatements.LOCK_NAMED_SQL)
                        .execute(Tuple.tuple().addArrayOfString(workflows));
        // Sent together (one round trip): the connection runs them in order, so the settle statement starts, with a
        // new snapshot, once the locks are held; if the lock fails, the settle fails in the aborted transaction.
        Uni<RowSet<Row>> settled =
                conn.preparedQuery(SettleStatements.SETTLE_SQL).execute(batch);
        return Uni.combine().all().unis(locked, settled).collectFailures().with((lock, rows) -> rows);
    }

    private void announce(RowSet<Row> rows) {
        announce(completed(rows));
    }

    /** Tells the listeners (webhook sender, lifecycle publisher) about workflows that became terminal. */
    void announce(List<CompletedWorkflow> completed) {
        if (!completed.isEmpty()) {
            listeners.fire(completed);
        }
    }

    private static List<CompletedWorkflow> completed(RowSet<Row> rows) {
        List<CompletedWorkflow> completed = new ArrayList<>();
        for (Row row : rows) {
            if ("workflow".equals(row.getString("kind"))) {
                completed.add(new CompletedWorkflow(
                        row.getString("id"),
                        row.getUUID("org_id"),
                        row.getString("status"),
                        row.getBoolean("webhook")));
            }
        }
        return completed;
    }

    /** SQLSTATE classes 22 (data exception) and 23 (integrity): retrying the same input cannot help. */
    static boolean isDataError(Throwable failure) {
        if (failure instanceof PgException pg && pg.getSqlState() != null) {
            return pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23");
        }
        return false;
    }

    /** Position of the named workflows ({@code $12}) in a batch's parameters. */
    private static final int WORKFLOWS = 11;

    /**
     * The batch's columns ({@link ResultRecords#toBatch}), this process's per-contact event caps and the workflows its
     * records name (null when one names none); null if no record is readable.
     */
    private Tuple toBatch(List<String> records, List<Long> producedAt) {
        ResultRecords.Batch batch = reader.toBatch(records, producedAt);
        return batch == null
                ? null
                : batch.columns()
                        .addInteger(caps.pendingPerOrganization())
                        .addInteger(caps.contactEventsPerHour())
                        .addArrayOfString(batch.workflowIds());
    }
}

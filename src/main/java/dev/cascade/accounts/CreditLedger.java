package dev.cascade.accounts;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The credit ledger (§3). Every movement is one append-only row, written in the same transaction as the running
 * totals it explains ({@code organizations.credits} and {@code credits_held}), so the sum of an organisation's rows
 * always equals its available credits. Charges and releases of settled tasks are written by the aggregator's settle
 * statement; holds at submit, top-ups and adjustments here.
 */
@ApplicationScoped
public class CreditLedger {
    /** The largest balance the ledger keeps (`numeric(14, 2)`). */
    public static final BigDecimal MAX_BALANCE = new BigDecimal("999999999999.99");

    /** What a top-up or an adjustment came to. */
    public enum Adjustment {
        DONE,
        NO_ORGANIZATION,
        /** It would leave less than the open holds available. */
        OVERDRAWN,
        /** It would take the balance past {@link #MAX_BALANCE}. */
        TOO_LARGE
    }

    private final Pool pool;

    public CreditLedger(Pool pool) {
        this.pool = pool;
    }

    /**
     * Holds a workflow's worst case inside the submit transaction; false (and nothing held) when the available
     * credits do not cover it. The conditional update takes the organisation's row lock, so concurrent submits are
     * decided one after the other and never overdraw. Callers do it last in their transaction, to hold that lock for
     * as short a time as possible.
     */
    public Uni<Boolean> hold(SqlClient conn, UUID orgId, String workflowId, BigDecimal amount) {
        if (amount.signum() == 0) {
            return Uni.createFrom().item(true);
        }
        return conn.preparedQuery("UPDATE organizations SET credits_held = credits_held + $2"
                        + " WHERE id = $1 AND credits - credits_held >= $2 RETURNING id")
                .execute(Tuple.of(orgId, amount))
                .chain(rows -> rows.rowCount() == 0
                        ? Uni.createFrom().item(false)
                        : insert(conn, orgId, "hold", amount.negate(), workflowId, null)
                                .replaceWith(true));
    }

    /** Records an organisation's first credits (inside the transaction that creates it). */
    Uni<Void> opening(SqlClient conn, UUID orgId, BigDecimal amount) {
        if (amount.signum() == 0) {
            return Uni.createFrom().voidItem();
        }
        return insert(conn, orgId, "top_up", amount, null, "initial credits");
    }

    /** Adds credits. */
    public Uni<Adjustment> topUp(UUID orgId, BigDecimal amount, String reason) {
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE organizations SET credits = credits + $2"
                        + " WHERE id = $1 AND credits + $2 <= $3 RETURNING id")
                .execute(Tuple.of(orgId, amount, MAX_BALANCE))
                .chain(rows -> rows.rowCount() == 1
                        ? insert(conn, orgId, "top_up", amount, null, reason).replaceWith(Adjustment.DONE)
                        : refusal(conn, orgId, Adjustment.TOO_LARGE)));
    }

    /**
     * Corrects the balance up or down; never below what is held (the available credits stay at 0 or above), never
     * past {@link #MAX_BALANCE}.
     */
    public Uni<Adjustment> adjust(UUID orgId, BigDecimal amount, String reason) {
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE organizations SET credits = credits + $2"
                        + " WHERE id = $1 AND credits + $2 - credits_held >= 0 AND credits + $2 <= $3"
                        + " RETURNING id")
                .execute(Tuple.of(orgId, amount, MAX_BALANCE))
                .chain(rows -> rows.rowCount() == 1
                        ? insert(conn, orgId, "adjustment", amount, null, reason)
                                .replaceWith(Adjustment.DONE)
                        : refusal(conn, orgId, amount.signum() > 0 ? Adjustment.TOO_LARGE : Adjustment.OVERDRAWN)));
    }

    private static Uni<Adjustment> refusal(SqlClient conn, UUID orgId, Adjustment reason) {
        return conn.preparedQuery("SELECT 1 FROM organizations WHERE id = $1")
                .execute(Tuple.of(orgId))
                .map(found -> found.rowCount() == 0 ? Adjustment.NO_ORGANIZATION : reason);
    }

    /** The organisation's credits; null when there is no such organisation. */
    public Uni<CreditBalance> balance(UUID orgId) {
        return pool.preparedQuery("SELECT id, credits, credits_held FROM organizations WHERE id = $1")
                .execute(Tuple.of(orgId))
                .map(rows -> rows.rowCount() == 0 ? null : balance(rows));
    }

    /** Ledger rows oldest first, after the row {@code afterId} (0: from the start). */
    public Uni<List<CreditEntry>> entries(UUID orgId, long afterId, int limit) {
        return pool.preparedQuery("SELECT id, kind, amount, workflow_id, task_id, reason, created_at FROM credit_ledger"
                        + " WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3")
                .execute(Tuple.of(orgId, afterId, limit))
                .map(rows -> {
                    List<CreditEntry> entries = new ArrayList<>(rows.rowCount());
                    for (Row row : rows) {
                        entries.add(new CreditEntry(
                                row.getLong("id"),
                                row.getString("kind"),
                                row.getBigDecimal("amount"),
                                row.getString("workflow_id"),
                                row.getUUID("task_id"),
                                row.getString("reason"),
                                row.getOffsetDateTime("created_at")));
                    }
                    return entries;
                });
    }

    private static Uni<Void> insert(
            SqlClient conn, UUID orgId, String kind, BigDecimal amount, String workflowId, String reason) {
        return conn.preparedQuery("INSERT INTO credit_ledger (org_id, kind, amount, workflow_id, reason)"
                        + " VALUES ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(orgId, kind, amount, workflowId, reason))
                .replaceWithVoid();
    }

    private static CreditBalance balance(RowSet<Row> rows) {
        Row row = rows.iterator().next();
        return new CreditBalance(row.getUUID("id"), row.getBigDecimal("credits"), row.getBigDecimal("credits_held"));
    }
}

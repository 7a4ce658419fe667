package dev.cascade.leads;

import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** The organisation's protected DEFAULT lead list; every enriched contact becomes a lead on it (§7). */
@ApplicationScoped
public class LeadLists {
    public static final String DEFAULT_NAME = "DEFAULT";

    /**
     * The id of the organisation's DEFAULT list, created on first use inside the caller's transaction. Race-free:
     * the partial unique index lets exactly one of two concurrent first inserts win; the loser's insert waits for
     * the winner's commit, does nothing, and the select that follows sees the winner's row.
     */
    public Uni<UUID> ensureDefault(SqlConnection conn, UUID orgId) {
        return findDefault(conn, orgId).chain(found -> {
            if (found != null) {
                return Uni.createFrom().item(found);
            }
            return conn.preparedQuery("INSERT INTO lead_lists (id, org_id, name, is_default) VALUES ($1, $2, $3, true)"
                            + " ON CONFLICT (org_id) WHERE is_default DO NOTHING")
                    .execute(Tuple.of(UUID.randomUUID(), orgId, DEFAULT_NAME))
                    .chain(() -> findDefault(conn, orgId));
        });
    }

    private Uni<UUID> findDefault(SqlConnection conn, UUID orgId) {
        return conn.preparedQuery("SELECT id FROM lead_lists WHERE org_id = $1 AND is_default")
                .execute(Tuple.of(orgId))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("id"));
    }
}

package dev.cascade.accounts;

import java.security.MessageDigest;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;

/** Resolves an API key to its organisation: lookup by SHA-256, then a constant-time comparison. */
@ApplicationScoped
public class Authenticator {
    private final Pool pool;

    public Authenticator(Pool pool) {
        this.pool = pool;
    }

    /** The principal of a valid, unrevoked, unexpired key; null for anything else. */
    public Uni<Principal> authenticate(String key) {
        if (!ApiKeys.wellFormed(key)) {
            return Uni.createFrom().nullItem();
        }
        byte[] hash = ApiKeys.hash(key);
        return pool.preparedQuery("SELECT id, org_id, key_hash FROM api_keys WHERE key_hash = $1"
                        + " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())")
                .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(hash)))
                .map(rows -> {
                    RowIterator<Row> it = rows.iterator();
                    if (!it.hasNext()) {
                        return null;
                    }
                    Row row = it.next();
                    byte[] stored = row.getBuffer("key_hash").getBytes();
                    if (!MessageDigest.isEqual(stored, hash)) {
                        return null;
                    }
                    return new Principal(row.getUUID("org_id"), row.getUUID("id"));
                });
    }
}

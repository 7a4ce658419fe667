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
        return pool.preparedQuery("SELECT k.id, k.org_id, k.key_hash, o.requests_per_minute, o.key_requests_per_minute"
                        + " FROM api_keys k JOIN organizations o ON o.id = k.org_id WHERE k.key_hash = $1"
                        + " AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())")
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
                    return new Principal(
                            row.getUUID("org_id"),
                            row.getUUID("id"),
                            row.getInteger("requests_per_minute"),
                            row.getInteger("key_requests_per_minute"));
                });
    }
}

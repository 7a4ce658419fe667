package dev.cascade.accounts;

import java.security.MessageDigest;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Resolves an API key to its organisation: lookup by SHA-256, then a constant-time comparison. With rate limits on, the
 * same statement counts the request against the organisation's and the key's one-minute windows ({@link RateLimiter}):
 * one round trip before the request runs instead of two.
 */
@ApplicationScoped
public class Authenticator {
    private static final String KEY = "SELECT k.id, k.org_id, k.key_hash, o.requests_per_minute,"
            + " o.key_requests_per_minute FROM api_keys k JOIN organizations o ON o.id = k.org_id"
            + " WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())";

    /**
     * The key's row and, when it is valid and $2 is true, its request counted in both windows of {@link RateLimiter}:
     * the windows' hits after this request and the seconds to the window's end.
     */
    static final String AUTHENTICATE_SQL = "WITH k AS (" + KEY + "), hit AS ("
            + " INSERT INTO rate_limit_windows (scope, window_start, hits)"
            + " SELECT s.scope, date_trunc('minute', now()), 1"
            + " FROM k CROSS JOIN LATERAL (VALUES ('org:' || k.org_id), ('key:' || k.id)) AS s(scope) WHERE $2"
            + " ON CONFLICT (scope, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1"
            + " RETURNING scope, hits,"
            + " ceil(extract(epoch FROM (window_start + interval '1 minute' - now())))::int AS reset)"
            + " SELECT k.*, (SELECT h.hits FROM hit h WHERE h.scope = 'org:' || k.org_id) AS org_hits,"
            + " (SELECT h.hits FROM hit h WHERE h.scope = 'key:' || k.id) AS key_hits,"
            + " (SELECT max(h.reset) FROM hit h) AS reset FROM k";

    /** A valid key's principal and, when the request was counted, the windows' hits after it. */
    public record Authenticated(Principal principal, Integer orgHits, Integer keyHits, Integer reset) {}

    private final Pool pool;

    public Authenticator(Pool pool) {
        this.pool = pool;
    }

    /**
     * The principal of a valid, unrevoked, unexpired key, with the request counted in its rate-limit windows when
     * {@code count}; null for anything else (then nothing is counted: no key was identified).
     */
    public Uni<Authenticated> authenticate(String key, boolean count) {
        if (!ApiKeys.wellFormed(key)) {
            return Uni.createFrom().nullItem();
        }
        byte[] hash = ApiKeys.hash(key);
        return pool.preparedQuery(AUTHENTICATE_SQL)
                .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(hash), count))
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
                    return new Authenticated(
                            new Principal(
                                    row.getUUID("org_id"),
                                    row.getUUID("id"),
                                    row.getInteger("requests_per_minute"),
                                    row.getInteger("key_requests_per_minute")),
                            row.getInteger("org_hits"),
                            row.getInteger("key_hits"),
                            row.getInteger("reset"));
                });
    }
}

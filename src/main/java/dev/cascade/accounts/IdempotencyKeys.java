package dev.cascade.accounts;

import java.security.MessageDigest;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.RoleGuards;
import dev.cascade.support.ApiException;

/**
 * Idempotent submit (§4.1), per organisation and `Idempotency-Key`. A submit first claims its key in a short
 * transaction of its own (so a second request with the key sees it at once and answers 409 while the first is
 * handled); the submit's own transaction then records the answer under that claim, so a workflow exists exactly
 * when its key is `done`. A submit that fails gives its claim back; one whose gateway died leaves a claim that the
 * next request with the same body may take over once it has expired.
 */
@ApplicationScoped
public class IdempotencyKeys {
    /** The longest key accepted. */
    public static final int MAX_LENGTH = 255;

    static final String REUSED = "Idempotency-Key reused with a different request body";
    public static final String IN_FLIGHT = "A request with this Idempotency-Key is still being handled; retry later";

    /** What a claim came to: go ahead under {@code claim}, or replay the stored first answer. */
    public sealed interface Claim {
        record Fresh(UUID claim) implements Claim {}

        record Replay(String response) implements Claim {}
    }

    private final Pool pool;
    private final int retentionSeconds;
    private final int claimSeconds;

    public IdempotencyKeys(Pool pool, CascadeConfig config) {
        this.pool = pool;
        this.retentionSeconds = (int) Math.min(
                Integer.MAX_VALUE, config.accounts().idempotencyRetention().toSeconds());
        this.claimSeconds = (int) Math.max(
                1, Math.min(86_400, config.accounts().idempotencyClaim().toSeconds()));
    }

    /** Whether a header value can be a key: 1 to 255 printable ASCII characters. */
    public static boolean wellFormed(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Claims the key for a request whose normalised body has this hash; fails with 422 for another body under the
     * same key and 409 while the first request is still being handled.
     */
    public Uni<Claim> claim(UUID orgId, String key, byte[] requestHash) {
        UUID claim = UUID.randomUUID();
        Buffer hash = Buffer.buffer(requestHash);
        return pool.preparedQuery(
                        "INSERT INTO idempotency_keys (org_id, key, request_hash, status, claim, locked_until)"
                                + " VALUES ($1, $2, $3, 'in_flight', $4, now() + ($5::int * interval '1 second'))"
                                + " ON CONFLICT (org_id, key) DO NOTHING")
                .execute(Tuple.of(orgId, key, hash, claim, claimSeconds))
                .chain(inserted -> inserted.rowCount() == 1
                        ? Uni.createFrom().item((Claim) new Claim.Fresh(claim))
                        : existing(orgId, key, hash, claim));
    }

    private Uni<Claim> existing(UUID orgId, String key, Buffer hash, UUID claim) {
        return pool.preparedQuery("SELECT request_hash, status, response, locked_until > now() AS locked,"
                        + " created_at < now() - ($3::int * interval '1 second') AS expired"
                        + " FROM idempotency_keys WHERE org_id = $1 AND key = $2")
                .execute(Tuple.of(orgId, key, retentionSeconds))
                .chain(rows -> {
                    if (rows.rowCount() == 0) {
                        // Given back between our insert and this read: claim it afresh.
                        return claim(orgId, key, hash.getBytes());
                    }
                    Row row = rows.iterator().next();
                    if (row.getBoolean("expired")) {
                        // Past its retention but not purged yet: as good as absent.
                        return takeOver(
                                orgId, key, hash, claim, "created_at < now() - ($6::int * interval '1 second')");
                    }
                    if (!MessageDigest.isEqual(row.getBuffer("request_hash").getBytes(), hash.getBytes())) {
                        return Uni.createFrom().failure(new ApiException(422, REUSED));
                    }
                    if ("done".equals(row.getString("status"))) {
                        return Uni.createFrom().item(new Claim.Replay(row.getString("response")));
                    }
                    if (row.getBoolean("locked")) {
                        return Uni.createFrom().failure(new ApiException(409, IN_FLIGHT));
                    }
                    Log.warnf("Idempotency-Key claim of organisation %s expired unfinished; taking it over", orgId);
                    return takeOver(
                            orgId, key, hash, claim, "status = 'in_flight' AND locked_until <= now() AND $6::int >= 0");
                });
    }

    private Uni<Claim> takeOver(UUID orgId, String key, Buffer hash, UUID claim, String condition) {
        return pool.preparedQuery("UPDATE idempotency_keys SET request_hash = $3, status = 'in_flight', claim = $4,"
                        + " locked_until = now() + ($5::int * interval '1 second'), workflow_id = NULL, response = NULL,"
                        + " created_at = now() WHERE org_id = $1 AND key = $2 AND " + condition)
                .execute(Tuple.tuple()
                        .addUUID(orgId)
                        .addString(key)
                        .addValue(hash)
                        .addUUID(claim)
                        .addInteger(claimSeconds)
                        .addInteger(retentionSeconds))
                .chain(updated -> updated.rowCount() == 1
                        ? Uni.createFrom().item((Claim) new Claim.Fresh(claim))
                        : Uni.createFrom().failure(new ApiException(409, IN_FLIGHT)));
    }

    /**
     * Records the answer under the claim, inside the submit's transaction; fails (rolling the submit back) when the
     * claim was lost meanwhile, so two requests can never both create a workflow for one key.
     */
    public Uni<Void> complete(SqlClient conn, UUID orgId, String key, UUID claim, String workflowId, String response) {
        return conn.preparedQuery(
                        "UPDATE idempotency_keys SET status = 'done', workflow_id = $4, response = $5,"
                                + " locked_until = now() WHERE org_id = $1 AND key = $2 AND claim = $3 AND status = 'in_flight'")
                .execute(Tuple.of(orgId, key, claim, workflowId, response))
                .invoke(updated -> {
                    if (updated.rowCount() != 1) {
                        throw new ApiException(409, IN_FLIGHT);
                    }
                })
                .replaceWithVoid();
    }

    /** Gives a claim back after a failed submit, so that a retry (after a top-up, say) is handled afresh. */
    public Uni<Void> release(UUID orgId, String key, UUID claim) {
        return pool.preparedQuery("DELETE FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND claim = $3"
                        + " AND status = 'in_flight'")
                .execute(Tuple.of(orgId, key, claim))
                .replaceWithVoid()
                .onFailure()
                .invoke(failure -> Log.warnf(
                        "Could not give back an Idempotency-Key claim of organisation %s (%s); it expires by itself",
                        orgId, failure.getMessage()))
                .onFailure()
                .recoverWithNull();
    }

    /** Keys deleted per statement of the purge, so that no statement holds many row locks for long. */
    static final int PURGE_BATCH = 5000;

    /** Most purge statements per run; what is left waits for the next run. */
    static final int PURGE_MAX_BATCHES = 100;

    /** Forgets keys past their retention, in batches. */
    @Scheduled(
            every = "10m",
            delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = RoleGuards.NotApi.class)
    Uni<Void> purge() {
        return purgeBatches(0).onFailure().recoverWithNull();
    }

    private Uni<Void> purgeBatches(int done) {
        if (done >= PURGE_MAX_BATCHES) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("DELETE FROM idempotency_keys WHERE (org_id, key) IN (SELECT org_id, key"
                        + " FROM idempotency_keys WHERE created_at < now() - ($1::int * interval '1 second')"
                        + " ORDER BY created_at LIMIT $2)")
                .execute(Tuple.of(retentionSeconds, PURGE_BATCH))
                .chain(rows -> rows.rowCount() < PURGE_BATCH ? Uni.createFrom().voidItem() : purgeBatches(done + 1));
    }
}

package dev.cascade.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import org.eclipse.microprofile.config.ConfigProvider;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.Role;
import dev.cascade.support.Times;

/**
 * The organisations' webhook signing secrets (§6.3): a current `whsec_` secret per organisation, created on first
 * use, and after a rotation the older ones, which keep signing beside it until their overlap ends. Secrets are kept
 * encrypted in PostgreSQL ({@link SecretCipher}); decrypted ones are cached in memory for a few seconds, so every
 * replica picks up another replica's rotation within {@link #CACHE_TTL}.
 */
@ApplicationScoped
public class SigningSecrets {
    /** Prefix of a secret, as the Standard Webhooks libraries expect it. */
    public static final String PREFIX = "whsec_";
    /** Longest overlap a rotation may give the older secrets. */
    public static final Duration MAX_OVERLAP = Duration.ofDays(7);

    static final int SECRET_BYTES = 32;
    static final Duration CACHE_TTL = Duration.ofSeconds(5);

    private static final String ACTIVE_SQL = """
            SELECT id, nonce, ciphertext, created_at, expires_at FROM webhook_signing_secrets
             WHERE org_id = $1 AND (expires_at IS NULL OR expires_at > now())
             ORDER BY expires_at IS NULL DESC, created_at DESC, id
            """;
    // Serialises first creation and rotation per organisation across replicas; the partial unique index on the
    // current secret is the backstop.
    private static final String LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";
    private static final String INSERT_SQL = """
            INSERT INTO webhook_signing_secrets (id, org_id, nonce, ciphertext) VALUES ($1, $2, $3, $4)
                ON CONFLICT (org_id) WHERE expires_at IS NULL DO NOTHING
             RETURNING created_at
            """;
    private static final String RETIRE_CURRENT_SQL = """
            UPDATE webhook_signing_secrets SET expires_at = now() + make_interval(secs => $2)
             WHERE org_id = $1 AND expires_at IS NULL
             RETURNING expires_at
            """;
    // Older secrets never live longer because of a later rotation; a short overlap (0 after a leak) cuts them too.
    private static final String SHORTEN_OLDER_SQL = """
            UPDATE webhook_signing_secrets SET expires_at = now() + make_interval(secs => $2)
             WHERE org_id = $1 AND expires_at > now() + make_interval(secs => $2)
            """;

    private final Pool pool;
    private final Duration defaultOverlap;
    private final SecretCipher cipher;
    private final String keyProblem;
    /** The development key outside a development profile: refused in every role. */
    private final Optional<String> developmentKeyProblem;
    /** Secrets are used only by the sender (signing) and the operator API (reveal, rotate). */
    private final boolean needsKey;

    private final SecureRandom random = new SecureRandom();
    private final Map<UUID, Cached> cache = new ConcurrentHashMap<>();
    private final AtomicLong rotations = new AtomicLong();

    public SigningSecrets(Pool pool, CascadeConfig config) {
        this.pool = pool;
        this.defaultOverlap = clamp(config.webhooks().secretRotationOverlap());
        SecretCipher configured = null;
        String problem = null;
        try {
            configured = SecretCipher.fromConfig(config.webhooks().secretsKey(), random);
        } catch (IllegalStateException e) {
            problem = e.getMessage();
        }
        this.cipher = configured;
        this.keyProblem = problem;
        this.developmentKeyProblem = SecretCipher.developmentKeyProblem(
                config.webhooks().secretsKey(),
                ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getProfiles());
        this.needsKey = config.roles().has(Role.WEBHOOKS) || config.roles().has(Role.API);
    }

    /**
     * Without a usable key no webhook could be signed: refuse to start rather than fail every delivery later. A
     * process that neither sends webhooks nor serves the operator API never uses a secret and does not need it. The
     * public development key is refused in every role outside the local, dev and test profiles: whoever holds it
     * reads every stored secret, so no production process should be configured with it.
     */
    void onStart(@Observes StartupEvent event) {
        if (developmentKeyProblem.isPresent()) {
            throw new IllegalStateException(developmentKeyProblem.get());
        }
        if (cipher == null && needsKey) {
            throw new IllegalStateException(keyProblem);
        }
    }

    /** A still-valid secret as the operator's reveal shows it. */
    public record SecretView(UUID id, String secret, OffsetDateTime createdAt, OffsetDateTime expiresAt) {
        @Override
        public String toString() {
            return "SecretView[id=" + id + ", secret=" + PREFIX + "***, createdAt=" + createdAt + ", expiresAt="
                    + expiresAt + "]";
        }
    }

    /** The outcome of a rotation: the new current secret, and when the previous one stops signing (null: none). */
    public record Rotation(UUID id, String secret, OffsetDateTime createdAt, OffsetDateTime previousExpireAt) {
        @Override
        public String toString() {
            return "Rotation[id=" + id + ", secret=" + PREFIX + "***, createdAt=" + createdAt + ", previousExpireAt="
                    + previousExpireAt + "]";
        }
    }

    private record Cached(List<SecretView> secrets, long loadedAt) {
        @Override
        public String toString() {
            return "Cached[" + secrets.size() + " secrets]";
        }
    }

    /**
     * The organisation's secrets that sign now, newest (the current one) first; the first is created when the
     * organisation has none. Two replicas asking at once for a new organisation end with one secret.
     */
    public Uni<List<String>> activeSecrets(UUID orgId) {
        return active(orgId)
                .map(secrets -> secrets.stream().map(SecretView::secret).toList());
    }

    /** Every still-valid secret with its id and times, newest first (created when there is none yet). */
    public Uni<List<SecretView>> reveal(UUID orgId) {
        long generation = rotations.get();
        return load(orgId).invoke(secrets -> remember(orgId, secrets, generation));
    }

    /**
     * Makes a new current secret; every older one stops signing after {@code overlap} (null: the configured
     * default; clamped to 0 to 7 days), or sooner if it was already due to. Takes effect at once on this replica
     * and within {@link #CACHE_TTL} on the others.
     */
    public Uni<Rotation> rotate(UUID orgId, Duration overlap) {
        Duration effective = overlap == null ? defaultOverlap : clamp(overlap);
        double seconds = effective.toMillis() / 1000.0;
        UUID id = UUID.randomUUID();
        return requireCipher()
                .chain(() -> pool.withTransaction(conn -> lock(conn, orgId)
                        .chain(() -> conn.preparedQuery(RETIRE_CURRENT_SQL).execute(Tuple.of(orgId, seconds)))
                        .map(retired -> retired.size() == 0
                                ? null
                                : retired.iterator().next().getOffsetDateTime("expires_at"))
                        .call(() -> conn.preparedQuery(SHORTEN_OLDER_SQL).execute(Tuple.of(orgId, seconds)))
                        .chain(previousExpireAt -> insert(conn, orgId, id).map(created -> {
                            if (created == null) {
                                // Cannot happen under the lock; refuse rather than answer a secret never stored.
                                throw new IllegalStateException("Rotation found a current secret after retiring it");
                            }
                            return new Rotation(id, created.secret(), created.createdAt(), previousExpireAt);
                        }))))
                .invoke(rotation -> {
                    rotations.incrementAndGet();
                    cache.remove(orgId);
                    Log.infof(
                            "Webhook signing secret of organisation %s rotated: new secret %s; older secrets stop"
                                    + " signing by %s",
                            orgId,
                            rotation.id(),
                            rotation.previousExpireAt() == null ? "-" : Times.format(rotation.previousExpireAt()));
                });
    }

    private Uni<List<SecretView>> active(UUID orgId) {
        Cached cached = cache.get(orgId);
        if (cached != null && System.nanoTime() - cached.loadedAt() < CACHE_TTL.toNanos()) {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            List<SecretView> valid = cached.secrets().stream()
                    .filter(s -> s.expiresAt() == null || s.expiresAt().isAfter(now))
                    .toList();
            if (!valid.isEmpty()) {
                return Uni.createFrom().item(valid);
            }
        }
        long generation = rotations.get();
        return load(orgId).invoke(secrets -> remember(orgId, secrets, generation));
    }

    /** Caches what was read unless a rotation on this replica ran meanwhile (what was read may predate it). */
    private void remember(UUID orgId, List<SecretView> secrets, long generation) {
        if (rotations.get() == generation) {
            cache.put(orgId, new Cached(secrets, System.nanoTime()));
        }
    }

    private Uni<List<SecretView>> load(UUID orgId) {
        return requireCipher()
                .chain(() -> pool.preparedQuery(ACTIVE_SQL).execute(Tuple.of(orgId)))
                .map(rows -> open(orgId, rows))
                .chain(secrets -> hasCurrent(secrets) ? Uni.createFrom().item(secrets) : createFirst(orgId));
    }

    private Uni<List<SecretView>> createFirst(UUID orgId) {
        UUID id = UUID.randomUUID();
        return pool.withTransaction(conn -> lock(conn, orgId)
                        .call(() -> insert(conn, orgId, id))
                        .chain(() -> conn.preparedQuery(ACTIVE_SQL).execute(Tuple.of(orgId))))
                .map(rows -> open(orgId, rows))
                .invoke(secrets -> Log.debugf(
                        "Webhook signing secret of organisation %s: %s",
                        orgId,
                        secrets.isEmpty() || !secrets.get(0).id().equals(id) ? "created by another" : "created"));
    }

    private record Created(String secret, OffsetDateTime createdAt) {
        @Override
        public String toString() {
            return "Created[createdAt=" + createdAt + "]";
        }
    }

    private Uni<Created> insert(SqlConnection conn, UUID orgId, UUID id) {
        byte[] raw = new byte[SECRET_BYTES];
        random.nextBytes(raw);
        SecretCipher.Sealed sealed = cipher.seal(raw, associatedData(orgId, id));
        String secret = PREFIX + Base64.getEncoder().encodeToString(raw);
        return conn.preparedQuery(INSERT_SQL)
                .execute(Tuple.tuple()
                        .addUUID(id)
                        .addUUID(orgId)
                        .addBuffer(Buffer.buffer(sealed.nonce()))
                        .addBuffer(Buffer.buffer(sealed.ciphertext())))
                .map(rows -> rows.size() == 0
                        ? null
                        : new Created(secret, rows.iterator().next().getOffsetDateTime("created_at")));
    }

    private static Uni<Void> lock(SqlConnection conn, UUID orgId) {
        return conn.preparedQuery(LOCK_SQL)
                .execute(Tuple.of("webhook_signing_secrets:" + orgId))
                .replaceWithVoid();
    }

    private List<SecretView> open(UUID orgId, RowSet<Row> rows) {
        List<SecretView> secrets = new ArrayList<>(rows.size());
        for (Row row : rows) {
            UUID id = row.getUUID("id");
            byte[] raw = cipher.open(
                    new SecretCipher.Sealed(
                            row.getBuffer("nonce").getBytes(),
                            row.getBuffer("ciphertext").getBytes()),
                    associatedData(orgId, id));
            secrets.add(new SecretView(
                    id,
                    PREFIX + Base64.getEncoder().encodeToString(raw),
                    row.getOffsetDateTime("created_at"),
                    row.getOffsetDateTime("expires_at")));
        }
        return List.copyOf(secrets);
    }

    private static boolean hasCurrent(List<SecretView> secrets) {
        return !secrets.isEmpty() && secrets.get(0).expiresAt() == null;
    }

    /** Binds a stored value to its organisation and row, so that a value moved to another row does not decrypt. */
    static byte[] associatedData(UUID orgId, UUID id) {
        return ("cascade/webhook-signing-secret/v1/" + orgId + "/" + id).getBytes(StandardCharsets.UTF_8);
    }

    private Uni<Void> requireCipher() {
        return cipher == null
                ? Uni.createFrom().failure(new IllegalStateException(keyProblem))
                : Uni.createFrom().voidItem();
    }

    static Duration clamp(Duration overlap) {
        if (overlap.isNegative()) {
            return Duration.ZERO;
        }
        return overlap.compareTo(MAX_OVERLAP) > 0 ? MAX_OVERLAP : overlap;
    }
}

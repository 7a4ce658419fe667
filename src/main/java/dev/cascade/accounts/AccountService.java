package dev.cascade.accounts;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.CascadeConfig;

/** Organisations and their API keys (operator side). */
@ApplicationScoped
public class AccountService {
    /** The refusal of a key that would be one too many. */
    public static final class TooManyKeys extends RuntimeException {
        TooManyKeys() {
            super(null, null, false, false);
        }
    }

    private final OrganizationRepository organizations;
    private final ApiKeyRepository keys;
    private final Pool pool;
    private final CreditLedger ledger;
    private final int maxActiveKeys;

    public AccountService(
            OrganizationRepository organizations,
            ApiKeyRepository keys,
            Pool pool,
            CreditLedger ledger,
            CascadeConfig config) {
        this.organizations = organizations;
        this.keys = keys;
        this.pool = pool;
        this.ledger = ledger;
        this.maxActiveKeys = config.accounts().maxActiveKeys();
    }

    /** Creates an organisation; its first credits are a top-up row of the ledger, in the same transaction. */
    public Uni<Organization> createOrganization(String name, BigDecimal credits) {
        Organization org = new Organization();
        org.id = UUID.randomUUID();
        org.name = name;
        org.credits = credits;
        org.creditsHeld = BigDecimal.ZERO;
        org.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        return pool.withTransaction(conn -> conn.preparedQuery(
                                "INSERT INTO organizations (id, name, credits, created_at) VALUES ($1, $2, $3, $4)")
                        .execute(Tuple.of(org.id, org.name, org.credits, org.createdAt))
                        .chain(() -> ledger.opening(conn, org.id, credits)))
                .replaceWith(org);
    }

    @WithSession
    public Uni<List<Organization>> listOrganizations() {
        return organizations.listAll(io.quarkus.panache.common.Sort.by("createdAt"));
    }

    @WithSession
    public Uni<Organization> findOrganization(UUID id) {
        return organizations.findById(id);
    }

    /**
     * Creates a key for an existing organisation; null when the organisation does not exist, a {@link TooManyKeys}
     * failure when it has its most active keys already. The organisation's row lock makes the count and the insert
     * one decision, so concurrent creations cannot pass the limit together.
     */
    @WithTransaction
    public Uni<CreatedKey> createKey(UUID orgId, String name, OffsetDateTime expiresAt) {
        return organizations.findById(orgId, LockModeType.PESSIMISTIC_WRITE).chain(org -> {
            if (org == null) {
                return Uni.createFrom().nullItem();
            }
            return keys.count(
                            "orgId = ?1 and revokedAt is null and (expiresAt is null or expiresAt > ?2)",
                            orgId,
                            OffsetDateTime.now(ZoneOffset.UTC))
                    .chain(active -> active >= maxActiveKeys
                            ? Uni.createFrom().failure(new TooManyKeys())
                            : insertKey(orgId, name, expiresAt));
        });
    }

    private Uni<CreatedKey> insertKey(UUID orgId, String name, OffsetDateTime expiresAt) {
        String secret = ApiKeys.generate();
        ApiKey key = new ApiKey();
        key.id = UUID.randomUUID();
        key.orgId = orgId;
        key.name = name;
        key.keyHash = ApiKeys.hash(secret);
        key.last4 = ApiKeys.last4(secret);
        key.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        key.expiresAt = expiresAt;
        return keys.persist(key).map(saved -> new CreatedKey(saved, secret));
    }

    /** The most keys an organisation may have active at once. */
    public int maxActiveKeys() {
        return maxActiveKeys;
    }

    @WithSession
    public Uni<List<ApiKey>> listKeys(UUID orgId) {
        return keys.listForOrganization(orgId);
    }

    /** Sets (or, with nulls, resets to the defaults) an organisation's rate limits; null when it does not exist. */
    @WithTransaction
    public Uni<Organization> setRateLimits(UUID orgId, Integer requestsPerMinute, Integer keyRequestsPerMinute) {
        return organizations.findById(orgId).map(org -> {
            if (org != null) {
                org.requestsPerMinute = requestsPerMinute;
                org.keyRequestsPerMinute = keyRequestsPerMinute;
            }
            return org;
        });
    }

    /** Sets (or, with nulls, resets to the defaults) an organisation's quotas; null when it does not exist. */
    @WithTransaction
    public Uni<Organization> setQuotas(UUID orgId, Integer maxPendingWorkflows, Integer maxContactsPerDay) {
        return organizations.findById(orgId).map(org -> {
            if (org != null) {
                org.maxPendingWorkflows = maxPendingWorkflows;
                org.maxContactsPerDay = maxContactsPerDay;
            }
            return org;
        });
    }

    /** Revokes a key of the organisation; false when there is no such key. */
    @WithTransaction
    public Uni<Boolean> revokeKey(UUID orgId, UUID keyId) {
        return keys.findById(keyId).map(key -> {
            if (key == null || !key.orgId.equals(orgId)) {
                return false;
            }
            if (key.revokedAt == null) {
                key.revokedAt = OffsetDateTime.now(ZoneOffset.UTC);
            }
            return true;
        });
    }
}

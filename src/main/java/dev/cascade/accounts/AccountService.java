package dev.cascade.accounts;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/** Organisations and their API keys (operator side). */
@ApplicationScoped
public class AccountService {
    private final OrganizationRepository organizations;
    private final ApiKeyRepository keys;

    public AccountService(OrganizationRepository organizations, ApiKeyRepository keys) {
        this.organizations = organizations;
        this.keys = keys;
    }

    @WithTransaction
    public Uni<Organization> createOrganization(String name, BigDecimal credits) {
        Organization org = new Organization();
        org.id = UUID.randomUUID();
        org.name = name;
        org.credits = credits;
        org.createdAt = OffsetDateTime.now(ZoneOffset.UTC);
        return organizations.persist(org);
    }

    @WithSession
    public Uni<List<Organization>> listOrganizations() {
        return organizations.listAll(io.quarkus.panache.common.Sort.by("createdAt"));
    }

    @WithSession
    public Uni<Organization> findOrganization(UUID id) {
        return organizations.findById(id);
    }

    /** Creates a key for an existing organisation; null when the organisation does not exist. */
    @WithTransaction
    public Uni<CreatedKey> createKey(UUID orgId, String name, OffsetDateTime expiresAt) {
        return organizations.findById(orgId).chain(org -> {
            if (org == null) {
                return Uni.createFrom().nullItem();
            }
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
        });
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

package dev.cascade.accounts;

import java.util.List;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
class ApiKeyRepository implements PanacheRepositoryBase<ApiKey, UUID> {

    Uni<List<ApiKey>> listForOrganization(UUID orgId) {
        return list("orgId = ?1 order by createdAt", orgId);
    }

    Uni<ApiKey> findByHash(byte[] hash) {
        return find("keyHash", hash).firstResult();
    }
}

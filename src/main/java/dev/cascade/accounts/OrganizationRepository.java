package dev.cascade.accounts;

import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;

@ApplicationScoped
class OrganizationRepository implements PanacheRepositoryBase<Organization, UUID> {}

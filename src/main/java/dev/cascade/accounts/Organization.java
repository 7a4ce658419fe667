package dev.cascade.accounts;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.UUID;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A tenant. Every workflow, task, list, delivery and credit entry belongs to one. */
@Entity
@Table(name = "organizations")
public class Organization {
    @Id
    public UUID id;

    @Column(nullable = false)
    public String name;

    /**
     * The balance: top-ups, adjustments and charges (§3). Read-only here: only the ledger's statements move it, in
     * the transaction that writes their ledger row (an entity save must never write back a value it read).
     */
    @Column(nullable = false, insertable = false, updatable = false)
    public BigDecimal credits;

    /** The open holds of its unfinished workflows (read-only here, as {@link #credits}). */
    @Column(name = "credits_held", nullable = false, insertable = false, updatable = false)
    public BigDecimal creditsHeld;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    /** Requests per minute of the organisation; null: the configured default. */
    @Column(name = "requests_per_minute")
    public Integer requestsPerMinute;

    /** Requests per minute of each of its keys; null: the configured default. */
    @Column(name = "key_requests_per_minute")
    public Integer keyRequestsPerMinute;

    /** Quota of unfinished workflows (`cascade.quotas.pending-workflows`); null: the default; 0: none. */
    @Column(name = "max_pending_workflows")
    public Integer maxPendingWorkflows;

    /** Quota of contacts per UTC day (`cascade.quotas.contacts-per-day`); null: the default; 0: none. */
    @Column(name = "max_contacts_per_day")
    public Integer maxContactsPerDay;

    @Override
    public boolean equals(Object other) {
        return this == other || (other instanceof Organization that && id != null && id.equals(that.id));
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(id);
    }
}

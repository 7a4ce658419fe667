package dev.cascade.accounts;

import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.UUID;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An API key of an organisation: only its SHA-256 and its last 4 characters are kept. */
@Entity
@Table(name = "api_keys")
public class ApiKey {
    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public UUID orgId;

    public String name;

    @Column(name = "key_hash", nullable = false)
    public byte[] keyHash;

    @Column(nullable = false)
    public String last4;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    @Column(name = "revoked_at")
    public OffsetDateTime revokedAt;

    @Override
    public boolean equals(Object other) {
        return this == other || (other instanceof ApiKey that && id != null && id.equals(that.id));
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(id);
    }
}

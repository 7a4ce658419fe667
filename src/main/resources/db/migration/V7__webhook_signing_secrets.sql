-- Webhook signing secrets (§6.3): per organisation, the current secret (expires_at NULL) and the older ones that
-- keep signing beside it until expires_at (the rotation overlap). The secret is stored encrypted with AES-256-GCM
-- under the key in CASCADE_WEBHOOKS_SECRETS_KEY: a random 12-byte nonce per value, the ciphertext with its 16-byte
-- tag, and the organisation and row ids as associated data, so a value copied to another row does not decrypt.
CREATE TABLE webhook_signing_secrets (
    id          uuid PRIMARY KEY,
    org_id      uuid        NOT NULL REFERENCES organizations (id),
    nonce       bytea       NOT NULL CHECK (octet_length(nonce) = 12),
    ciphertext  bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz
);
-- One current secret per organisation: of two replicas creating the first one at once, one insert wins.
CREATE UNIQUE INDEX webhook_signing_secrets_current ON webhook_signing_secrets (org_id) WHERE expires_at IS NULL;
CREATE INDEX webhook_signing_secrets_org ON webhook_signing_secrets (org_id, created_at DESC);

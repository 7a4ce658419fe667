package dev.cascade.accounts;

import java.util.UUID;

/** The organisation and key a public request was authenticated as. */
public record Principal(UUID orgId, UUID keyId) {}

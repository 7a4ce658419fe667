package dev.cascade.accounts;

import java.util.UUID;

/**
 * The organisation and key a public request was authenticated as, with the organisation's own rate limits (null
 * where the configured default applies).
 */
public record Principal(UUID orgId, UUID keyId, Integer requestsPerMinute, Integer keyRequestsPerMinute) {}

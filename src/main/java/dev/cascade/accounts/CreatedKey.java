package dev.cascade.accounts;

/** A newly created API key: the only moment its secret is known. */
public record CreatedKey(ApiKey key, String secret) {}

package dev.cascade.api;

/** The contract's error shape: `{"detail": …}` (a message, or a list of validation problems). */
public record ErrorBody(Object detail) {}

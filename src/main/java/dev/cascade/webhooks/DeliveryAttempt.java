package dev.cascade.webhooks;

import java.util.UUID;

/** One attempt of the delivery log (§2.3); null fields are left out. */
public record DeliveryAttempt(
        UUID deliveryId,
        String event,
        String webhookId,
        int attempt,
        String status,
        Integer responseStatusCode,
        String error,
        String attemptedAt,
        Integer durationMs,
        String nextAttemptAt) {}

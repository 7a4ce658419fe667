package dev.cascade.webhooks;

import java.util.UUID;

/**
 * One attempt of the delivery log (§2.3); null fields are left out. {@code taskId} is set on the attempts of an
 * `enrichment.contact_completed` event (per_contact_webhooks).
 */
public record DeliveryAttempt(
        UUID deliveryId,
        String event,
        String webhookId,
        UUID taskId,
        int attempt,
        String status,
        Integer responseStatusCode,
        String error,
        String attemptedAt,
        Integer durationMs,
        String nextAttemptAt) {}

package dev.cascade.accounts;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One ledger row: a hold, charge, release, top-up or adjustment, signed as it moves the available credits. */
public record CreditEntry(
        long id,
        String kind,
        BigDecimal amount,
        String workflowId,
        UUID taskId,
        String reason,
        OffsetDateTime createdAt) {}

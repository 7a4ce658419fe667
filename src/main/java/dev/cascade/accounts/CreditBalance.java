package dev.cascade.accounts;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * An organisation's credits: the balance (top-ups, adjustments, charges), the open holds of its unfinished workflows,
 * and what is available to hold now (balance minus holds, which is also the sum of its ledger).
 */
public record CreditBalance(UUID organizationId, BigDecimal balance, BigDecimal held) {
    public BigDecimal available() {
        return balance.subtract(held);
    }
}

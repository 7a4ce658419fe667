package dev.cascade.accounts;

import java.math.BigDecimal;
import java.math.RoundingMode;
import jakarta.enterprise.context.ApplicationScoped;

import dev.cascade.config.CascadeConfig;

/**
 * What a task may cost at most (§3), by enrichment type: the unit a workflow holds per contact at submit, and the
 * most a running task may be charged.
 */
@ApplicationScoped
public class CreditPolicy {
    private final CascadeConfig.Credits credits;

    public CreditPolicy(CascadeConfig config) {
        this.credits = config.credits();
    }

    /** The worst case of one task of this type; prospecting's depends on the prospect cap. */
    public BigDecimal unit(String enrichmentType, int maxProspects) {
        double unit = switch (enrichmentType) {
            case "none" -> 0;
            case "phone_only" -> credits.phone();
            case "full" -> credits.email() + credits.phone();
            case "prospecting_only" -> maxProspects * credits.prospect();
            default -> credits.email();
        };
        return money(unit);
    }

    /** A workflow's hold: every contact's worst case, but never more than its budget cap. */
    public BigDecimal hold(String enrichmentType, int maxProspects, int contacts, BigDecimal maxCredits) {
        BigDecimal all = unit(enrichmentType, maxProspects).multiply(BigDecimal.valueOf(contacts));
        return maxCredits == null ? all : money(all.min(maxCredits));
    }

    /** Credits per email found. */
    public double email() {
        return credits.email();
    }

    /** Credits per discovered prospect. */
    public double prospect() {
        return credits.prospect();
    }

    static BigDecimal money(double value) {
        return money(BigDecimal.valueOf(value));
    }

    static BigDecimal money(BigDecimal value) {
        return value.setScale(2, RoundingMode.HALF_UP);
    }
}

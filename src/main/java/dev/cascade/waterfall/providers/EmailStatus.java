package dev.cascade.waterfall.providers;

import java.util.Locale;

/** Deliverability of an email (§5.1); {@code INVALID} is never returned to a client. */
public enum EmailStatus {
    RELIABLE(3),
    RISKY(2),
    UNKNOWN(1),
    INVALID(0);

    private final int rank;

    EmailStatus(int rank) {
        this.rank = rank;
    }

    /** Higher is better. */
    public int rank() {
        return rank;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EmailStatus fromWire(String value) {
        return value == null ? UNKNOWN : valueOf(value.toUpperCase(Locale.ROOT));
    }
}

package dev.cascade.intake;

import java.util.Arrays;
import java.util.Optional;

/** The enrichment types of §3. */
public enum EnrichmentType {
    NONE("none"),
    PARTIAL("partial"),
    PHONE_ONLY("phone_only"),
    FULL("full"),
    PROSPECTING_ONLY("prospecting_only");

    private final String wire;

    EnrichmentType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<EnrichmentType> fromWire(String value) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(value)).findFirst();
    }
}

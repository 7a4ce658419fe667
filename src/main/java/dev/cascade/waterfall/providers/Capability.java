package dev.cascade.waterfall.providers;

import java.util.Locale;

/** What a provider can be asked for. */
public enum Capability {
    EMAIL,
    PHONE,
    VERIFY,
    PROSPECT;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}

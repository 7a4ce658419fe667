package dev.cascade.support;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Timestamps as the contract writes them: ISO-8601 UTC with `Z`, second precision. */
public final class Times {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ISO_INSTANT;

    private Times() {}

    public static String format(Instant instant) {
        return instant == null ? null : FORMAT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    public static String format(OffsetDateTime time) {
        return time == null ? null : format(time.toInstant());
    }

    public static String now() {
        return format(Instant.now());
    }

    public static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}

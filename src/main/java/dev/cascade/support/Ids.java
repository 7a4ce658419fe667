package dev.cascade.support;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Identifier formats of the contract (§1). */
public final class Ids {
    public static final String WORKFLOW_PREFIX = "public_bulk_";

    private Ids() {}

    public static String newWorkflowId() {
        return WORKFLOW_PREFIX + UUID.randomUUID();
    }

    /**
     * The task ids of one submit: random version-4 UUIDs (RFC 9562) whose first 32 bits are one random value shared by
     * the submit. Every other bit but the version and variant is random per task, as {@link UUID#randomUUID()} makes
     * them, so ids stay unguessable and unique; the shared prefix only places a submit's tasks side by side in the
     * primary-key index, so the 250 inserts of a submit touch a few index pages instead of 250 scattered ones (a
     * submit's statement took 5 instead of 8 ms in PostgreSQL; docs/performance.md).
     */
    public static List<UUID> newTaskIds(int count) {
        List<UUID> ids = new ArrayList<>(count);
        // All the submit's random bits in one read of the kernel's generator: UUID.randomUUID() per task took the
        // JDK generator's lock and, every second id, a read of /dev/urandom of its own (KernelRandom).
        byte[] random = new byte[4 + 12 * count];
        KernelRandom.fill(random);
        java.nio.ByteBuffer bits = java.nio.ByteBuffer.wrap(random);
        long prefix = (long) bits.getInt() << 32;
        for (int i = 0; i < count; i++) {
            // Version 4 in bits 12-15 of the low half of the most significant long, the IETF variant in the top two
            // bits of the least significant one, as UUID.randomUUID() sets them.
            long most = prefix | ((bits.getInt() & 0xFFFF0FFFL) | 0x4000L);
            long least = (bits.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
            ids.add(new UUID(most, least));
        }
        return ids;
    }

    /** Standard Webhooks message id, stable for one event across every attempt. */
    public static String newWebhookId() {
        return "msg_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** Parses a UUID, answering null for anything that is not one (a bad id is simply an unknown id). */
    public static UUID parseUuid(String value) {
        if (value == null || value.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** True for a syntactically valid workflow id (`public_bulk_` + UUID). */
    public static boolean isWorkflowId(String value) {
        return value != null
                && value.startsWith(WORKFLOW_PREFIX)
                && parseUuid(value.substring(WORKFLOW_PREFIX.length())) != null;
    }
}

package dev.cascade.support;

import java.util.UUID;

/** Identifier formats of the contract (§1). */
public final class Ids {
    public static final String WORKFLOW_PREFIX = "public_bulk_";

    private Ids() {}

    public static String newWorkflowId() {
        return WORKFLOW_PREFIX + UUID.randomUUID();
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

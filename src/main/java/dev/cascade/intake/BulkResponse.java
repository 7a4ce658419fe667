package dev.cascade.intake;

import java.util.List;
import java.util.UUID;

/** The 200 answer of `POST /enrich/bulk`. */
public record BulkResponse(String workflowId, String status, String message, List<UUID> taskIds, int totalContacts) {}

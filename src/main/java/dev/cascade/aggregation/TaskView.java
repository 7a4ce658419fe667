package dev.cascade.aggregation;

import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/** A task as `GET /enrich/status?task_id=…` shows it (§2.2); null fields are left out. */
public record TaskView(UUID taskId, String workflowId, String status, JsonNode result, JsonNode trace) {}

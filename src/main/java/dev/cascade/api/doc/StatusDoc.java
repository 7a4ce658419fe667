package dev.cascade.api.doc;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answers of `GET /enrich/status` (§2.2) as the OpenAPI document shows them: one by workflow, one by task. */
public final class StatusDoc {
    private StatusDoc() {}

    /** Either answer: `{"workflow": …}` for workflow_id, `{"task": …}` for task_id. */
    @Schema(
            name = "StatusAnswer",
            oneOf = {WorkflowAnswer.class, TaskAnswer.class})
    public interface Answer {}

    /** The answer by workflow_id. */
    @Schema(name = "WorkflowStatusAnswer")
    public record WorkflowAnswer(@Schema(required = true) Workflow workflow) {}

    /** The answer by task_id. */
    @Schema(name = "TaskStatusAnswer")
    public record TaskAnswer(@Schema(required = true) Task task) {}

    /** One page of `GET /enrich/workflows`: the organisation's workflows, newest first. */
    @Schema(name = "WorkflowsPage")
    public record WorkflowsPage(
            @Schema(required = true) List<Workflow> workflows,

            @Schema(description = "Present when there are more: pass it as `cursor` for the next page")
            String nextCursor) {}

    /** A workflow's progress; a workflow is terminal when completed + failed prospects equal the total. */
    @Schema(name = "WorkflowStatus")
    public record Workflow(
            @Schema(required = true) String workflowId,

            @Schema(
                    required = true,
                    enumeration = {"pending", "running", "completed", "completed_with_errors", "failed"})
            String status,

            @Schema(required = true) int totalProspects,
            @Schema(required = true) int completedProspects,
            @Schema(required = true) int failedProspects,
            @Schema(required = true) int emailsFound,
            @Schema(required = true) int phonesFound,

            @Schema(required = true, description = "ISO-8601 UTC, second precision")
            String startedAt,

            @Schema(description = "Present once the workflow is terminal")
            String completedAt,

            String enrichmentType,
            UUID leadListId,
            BigDecimal creditsCharged,
            Map<String, String> custom,

            @Schema(description = "With include_results=true: every task's result item, in input order")
            List<ResultItemDoc> results) {}

    /** A task and, once it settled, its result. */
    @Schema(name = "TaskStatus")
    public record Task(
            @Schema(required = true) UUID taskId,
            @Schema(required = true) String workflowId,

            @Schema(
                    required = true,
                    enumeration = {"pending", "running", "completed", "failed"})
            String status,

            @Schema(description = "Present once the task has settled")
            ResultItemDoc result,

            @Schema(description = "With include_trace=true: every provider step in order (§5.4)")
            List<TraceStep> trace) {}

    /** One provider step of a task's waterfall (§5.4). */
    @Schema(name = "TraceStep")
    public record TraceStep(
            String provider,

            @Schema(enumeration = {"email", "phone", "verify", "prospect"})
            String capability,

            @Schema(enumeration = {"hit", "miss", "error", "skipped", "cache_hit"})
            String outcome,

            Long latencyMs,

            @Schema(description = "A short reason, e.g. timeout, HTTP 429, circuit open")
            String detail) {}
}

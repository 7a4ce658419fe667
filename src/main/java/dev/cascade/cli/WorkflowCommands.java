package dev.cascade.cli;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands about one workflow, and the organisation's credits, with the API key. */
final class WorkflowCommands {
    static final List<String> TERMINAL = List.of("completed", "completed_with_errors", "failed");

    private WorkflowCommands() {}

    /** The exit code a workflow's status means: 6 when it ended without every task completed. */
    static int exitFor(String status) {
        return status.equals("completed_with_errors") || status.equals("failed") ? Exit.PARTIAL : Exit.OK;
    }

    @Command(name = "status", description = "Show a workflow's status and counters (exit 6 when it ended with errors).")
    static final class Status extends Base {
        @Parameters(paramLabel = "WORKFLOW", description = "The workflow id (public_bulk_…).")
        String workflow;

        @Option(names = "--results", description = "Include every result item.")
        boolean results;

        @Override
        int execute() {
            JsonNode answer = api().get("api/v1/public/enrich/status?workflow_id=" + Api.q(workflow)
                    + (results ? "&include_results=true" : ""));
            JsonNode w = answer.path("workflow");
            if (ctx.json) {
                printJson(answer);
            } else {
                println("workflow   " + text(w, "workflow_id"));
                println("status     " + text(w, "status"));
                println("type       " + text(w, "enrichment_type"));
                println(String.format(
                        "contacts   %d total, %d completed, %d failed",
                        w.path("total_prospects").asInt(),
                        w.path("completed_prospects").asInt(),
                        w.path("failed_prospects").asInt()));
                println("found      " + w.path("emails_found").asInt() + " emails, "
                        + w.path("phones_found").asInt() + " phones");
                println("credits    " + text(w, "credits_charged"));
                println("started    " + text(w, "started_at"));
                println("completed  " + text(w, "completed_at"));
                if (results) {
                    for (JsonNode item : w.path("results")) {
                        println("  " + text(item, "task_id") + "  " + text(item, "status") + "  "
                                + text(item, "primary_email") + "  "
                                + String.join(";", strings(item.path("personal_phone_numbers"))));
                    }
                }
            }
            return exitFor(w.path("status").asText(""));
        }
    }

    @Command(name = "deliveries", description = "List a workflow's webhook delivery attempts, oldest first.")
    static final class Deliveries extends Base {
        @Parameters(paramLabel = "WORKFLOW", description = "The workflow id.")
        String workflow;

        @Override
        int execute() {
            Api api = api();
            ArrayNode all = Api.JSON.createArrayNode();
            JsonNode page = api.get("api/v1/public/webhooks/deliveries?workflow_id=" + Api.q(workflow));
            ObjectNode answer = Api.JSON.createObjectNode();
            answer.set("workflow_id", page.path("workflow_id"));
            if (page.has("webhook_url")) {
                answer.set("webhook_url", page.get("webhook_url"));
            }
            while (true) {
                page.path("deliveries").forEach(all::add);
                String cursor = page.path("next_cursor").asText(null);
                if (cursor == null) {
                    break;
                }
                page = api.get("api/v1/public/webhooks/deliveries?workflow_id=" + Api.q(workflow) + "&cursor="
                        + Api.q(cursor));
            }
            answer.set("deliveries", all);
            if (ctx.json) {
                printJson(answer);
                return Exit.OK;
            }
            println("webhook " + text(answer, "webhook_url"));
            if (all.isEmpty()) {
                println("no delivery attempts");
            }
            for (JsonNode d : all) {
                println(String.format(
                        "#%-3s %-10s %-5s %-22s %6s ms  %s",
                        text(d, "attempt"),
                        text(d, "status"),
                        d.has("response_status_code")
                                ? d.get("response_status_code").asText()
                                : "-",
                        text(d, "attempted_at"),
                        text(d, "duration_ms"),
                        d.has("error") ? d.get("error").asText() : ""));
            }
            return Exit.OK;
        }
    }

    @Command(name = "redeliver", description = "Send a finished workflow's completed webhook again (same webhook-id).")
    static final class Redeliver extends Base {
        @Parameters(paramLabel = "WORKFLOW", description = "The workflow id.")
        String workflow;

        @Override
        int execute() {
            JsonNode answer = api().post("api/v1/public/webhooks/redeliver?workflow_id=" + Api.q(workflow), null);
            if (ctx.json) {
                printJson(answer);
            } else {
                println("redelivery of " + text(answer, "workflow_id") + " scheduled (webhook-id "
                        + text(answer, "webhook_id") + ")");
            }
            return Exit.OK;
        }
    }

    @Command(name = "credits", description = "Show the organisation's available credits.")
    static final class Credits extends Base {
        @Override
        int execute() {
            JsonNode answer = api().get("api/v1/public/credits/balance");
            if (ctx.json) {
                printJson(answer);
            } else {
                println("credits available: " + text(answer, "credits") + " (organisation "
                        + text(answer, "organization_id") + ")");
            }
            return Exit.OK;
        }
    }

    static List<String> strings(JsonNode array) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

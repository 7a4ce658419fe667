package dev.cascade.aggregation;

import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import io.quarkus.logging.Log;

/**
 * Tells the rest of the gateway (webhook sender, lifecycle publisher) that workflows became terminal, after the
 * transaction that decided it has committed. A missed signal costs only latency: the webhook sender also polls.
 */
@ApplicationScoped
public class CompletionListeners {
    private final Event<WorkflowsCompleted> event;

    public CompletionListeners(Event<WorkflowsCompleted> event) {
        this.event = event;
    }

    void fire(List<CompletedWorkflow> completed) {
        try {
            event.fireAsync(new WorkflowsCompleted(completed));
        } catch (RuntimeException e) {
            Log.warnf(
                    "Completion signal lost (%s); pollers will pick the workflows up",
                    e.getClass().getSimpleName());
        }
    }

    /** The CDI event fired after a batch made workflows terminal. */
    public record WorkflowsCompleted(List<CompletedWorkflow> workflows) {}
}

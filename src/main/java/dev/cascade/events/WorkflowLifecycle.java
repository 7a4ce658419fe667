package dev.cascade.events;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import dev.cascade.support.Json;

/** Publishes workflow lifecycle records on `enrichment.workflows` (key: workflow id). */
@ApplicationScoped
public class WorkflowLifecycle {
    private final MutinyEmitter<String> emitter;
    private final Json json;

    public WorkflowLifecycle(
            @Channel(Channels.WORKFLOWS_OUT) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                    MutinyEmitter<String> emitter,
            Json json) {
        this.emitter = emitter;
        this.json = json;
    }

    /** Completes when the broker acknowledged the record; a failure is logged, never thrown. */
    public Uni<Void> publish(WorkflowEvent event) {
        return send(event).onFailure().recoverWithItem(failure -> {
            Log.warnf(
                    "Lifecycle record %s of workflow %s not published: %s",
                    event.event(), event.workflowId(), failure.getMessage());
            return null;
        });
    }

    /** Completes when the broker acknowledged the record, fails when it did not. */
    public Uni<Void> send(WorkflowEvent event) {
        String type = "started".equals(event.event())
                ? CloudEvents.TYPE_WORKFLOW_STARTED
                : CloudEvents.TYPE_WORKFLOW_COMPLETED;
        Message<String> message = Message.of(json.write(event))
                .addMetadata(CloudEvents.metadata(
                        event.workflowId(), event.workflowId() + ":" + event.event(), type, event.orgId()));
        return emitter.sendMessage(message);
    }
}

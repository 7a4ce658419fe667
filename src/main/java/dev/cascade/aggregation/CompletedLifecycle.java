package dev.cascade.aggregation;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import io.smallrye.mutiny.Multi;

import dev.cascade.events.WorkflowEvent;
import dev.cascade.events.WorkflowLifecycle;

/** Publishes the `completed` lifecycle record of every workflow that became terminal. */
@ApplicationScoped
class CompletedLifecycle {
    private final WorkflowReader reader;
    private final WorkflowLifecycle lifecycle;

    CompletedLifecycle(WorkflowReader reader, WorkflowLifecycle lifecycle) {
        this.reader = reader;
        this.lifecycle = lifecycle;
    }

    void onCompleted(@ObservesAsync CompletionListeners.WorkflowsCompleted completed) {
        Multi.createFrom()
                .iterable(completed.workflows())
                .onItem()
                .transformToUniAndMerge(done -> reader.workflow(done.orgId(), done.workflowId())
                        .chain(view -> lifecycle.publish(new WorkflowEvent(
                                "completed",
                                view.workflowId(),
                                view.orgId(),
                                view.enrichmentType(),
                                view.status(),
                                view.totalProspects(),
                                new WorkflowEvent.Summary(
                                        view.totalProspects(),
                                        view.completedProspects(),
                                        view.failedProspects(),
                                        view.emailsFound(),
                                        view.phonesFound()),
                                view.completedAt(),
                                view.custom()))))
                .collect()
                .last()
                .subscribe()
                .with(
                        ignored -> {},
                        failure -> io.quarkus.logging.Log.warnf(
                                "Completed lifecycle records not published: %s", failure.getMessage()));
    }
}

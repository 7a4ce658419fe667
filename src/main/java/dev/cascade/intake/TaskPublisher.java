package dev.cascade.intake;

import java.util.ArrayList;
import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import dev.cascade.events.Channels;
import dev.cascade.events.CloudEvents;
import dev.cascade.events.TaskRecord;
import dev.cascade.support.Json;

/** Publishes task records, one per contact, keyed by task id; completes when the broker acknowledged them all. */
@ApplicationScoped
class TaskPublisher {
    private final MutinyEmitter<String> emitter;
    private final Json json;

    TaskPublisher(
            @Channel(Channels.TASKS_OUT) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 16384)
                    MutinyEmitter<String> emitter,
            Json json) {
        this.emitter = emitter;
        this.json = json;
    }

    Uni<Void> publish(List<TaskRecord> tasks) {
        if (tasks.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = new ArrayList<>(tasks.size());
        for (TaskRecord task : tasks) {
            String id = task.taskId().toString();
            Message<String> message = Message.of(json.write(task))
                    .addMetadata(CloudEvents.metadata(id, id, CloudEvents.TYPE_TASK, task.orgId()));
            sends.add(emitter.sendMessage(message));
        }
        return Uni.join().all(sends).andCollectFailures().replaceWithVoid();
    }
}

package dev.cascade.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Gathers single requests into batches without waiting for a timer: a request goes out at once when fewer than
 * {@code maxInFlight} batches are running, else it joins the next batch, which starts as soon as one ends. Under light
 * load every request is its own batch (no added latency); under heavy load many share one statement. Each caller is
 * answered on its own Vert.x context.
 *
 * @param <I> one request
 * @param <O> its answer; {@code run} answers a batch with a list aligned with its requests
 */
public final class MicroBatcher<I, O> {
    private record Entry<I, O>(I input, UniEmitter<? super O> emitter, Context context) {}

    private final Function<List<I>, Uni<List<O>>> run;
    private final int maxBatch;
    private final int maxInFlight;
    private final ConcurrentLinkedQueue<Entry<I, O>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    public MicroBatcher(int maxBatch, int maxInFlight, Function<List<I>, Uni<List<O>>> run) {
        this.run = run;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
    }

    public Uni<O> submit(I input) {
        return Uni.createFrom().emitter(emitter -> {
            queue.add(new Entry<>(input, emitter, Vertx.currentContext()));
            drain();
        });
    }

    private void drain() {
        while (!queue.isEmpty()) {
            int running = inFlight.get();
            if (running >= maxInFlight) {
                return;
            }
            if (!inFlight.compareAndSet(running, running + 1)) {
                continue;
            }
            List<Entry<I, O>> batch = new ArrayList<>();
            for (Entry<I, O> next = queue.poll(); next != null; next = batch.size() < maxBatch ? queue.poll() : null) {
                batch.add(next);
            }
            if (batch.isEmpty()) {
                inFlight.decrementAndGet();
                continue;
            }
            List<I> inputs = new ArrayList<>(batch.size());
            for (Entry<I, O> entry : batch) {
                inputs.add(entry.input());
            }
            Uni<List<O>> answers;
            try {
                answers = run.apply(inputs);
            } catch (RuntimeException failure) {
                answers = Uni.createFrom().failure(failure);
            }
            answers.subscribe().with(outputs -> done(batch, outputs, null), failure -> done(batch, null, failure));
        }
    }

    private void done(List<Entry<I, O>> batch, List<O> outputs, Throwable failure) {
        inFlight.decrementAndGet();
        if (failure == null && (outputs == null || outputs.size() != batch.size())) {
            failure = new IllegalStateException("a batch of " + batch.size() + " requests got "
                    + (outputs == null ? "no" : outputs.size()) + " answers");
            outputs = null;
        }
        Throwable failed = failure;
        List<O> answers = outputs;
        for (int i = 0; i < batch.size(); i++) {
            Entry<I, O> entry = batch.get(i);
            O output = answers == null ? null : answers.get(i);
            Runnable answer = failed == null
                    ? () -> entry.emitter().complete(output)
                    : () -> entry.emitter().fail(failed);
            if (entry.context() == null || entry.context() == Vertx.currentContext()) {
                answer.run();
            } else {
                entry.context().runOnContext(ignored -> answer.run());
            }
        }
        drain();
    }
}

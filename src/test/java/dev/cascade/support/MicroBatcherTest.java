package dev.cascade.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {
    @Test
    void requestsArrivingWhileABatchRunsShareTheNextOneAndEachGetsItsOwnAnswer() {
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        List<UniEmitter<? super List<String>>> pending = new CopyOnWriteArrayList<>();
        MicroBatcher<Integer, String> batcher = new MicroBatcher<>(100, 1, inputs -> {
            batches.add(List.copyOf(inputs));
            return Uni.createFrom().emitter(pending::add);
        });
        List<Uni<String>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(batcher.submit(i).memoize().indefinitely());
            answers.get(i).subscribe().with(ignored -> {});
        }
        // The first request went out alone; the four behind it wait for that batch.
        assertThat(batches).containsExactly(List.of(0));
        pending.get(0).complete(List.of("a0"));
        assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3, 4));
        pending.get(1).complete(List.of("a1", "a2", "a3", "a4"));
        for (int i = 0; i < 5; i++) {
            assertThat(answers.get(i).await().atMost(Duration.ofSeconds(1))).isEqualTo("a" + i);
        }
    }

    @Test
    void aFailedBatchFailsEveryRequestInItAndLaterRequestsStillRun() {
        MicroBatcher<Integer, String> batcher = new MicroBatcher<>(
                10,
                2,
                inputs -> inputs.contains(-1)
                        ? Uni.createFrom().failure(new IllegalStateException("refused"))
                        : Uni.createFrom()
                                .item(inputs.stream().map(i -> "ok" + i).toList()));
        assertThatThrownBy(() -> batcher.submit(-1).await().atMost(Duration.ofSeconds(1)))
                .hasMessageContaining("refused");
        assertThat(batcher.submit(7).await().atMost(Duration.ofSeconds(1))).isEqualTo("ok7");
    }

    @Test
    void aBatchNeverExceedsItsSize() {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        List<Runnable> pending = new CopyOnWriteArrayList<>();
        MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>(3, 1, inputs -> {
            sizes.add(inputs.size());
            List<Integer> copy = List.copyOf(inputs);
            return Uni.createFrom().emitter(emitter -> pending.add(() -> emitter.complete(copy)));
        });
        for (int i = 0; i < 8; i++) {
            batcher.submit(i).subscribe().with(ignored -> {});
        }
        while (sizes.stream().mapToInt(Integer::intValue).sum() < 8) {
            pending.get(pending.size() - 1).run();
        }
        assertThat(sizes).containsExactly(1, 3, 3, 1);
    }

    @Test
    void aBatchAnsweredWithTheWrongNumberOfAnswersFailsItsRequestsInsteadOfLeavingThemWaiting() {
        MicroBatcher<Integer, String> batcher =
                new MicroBatcher<>(10, 1, inputs -> Uni.createFrom().item(List.of()));
        assertThatThrownBy(() -> batcher.submit(1).await().atMost(Duration.ofSeconds(1)))
                .hasMessageContaining("got 0 answers");
        assertThatThrownBy(() -> batcher.submit(2).await().atMost(Duration.ofSeconds(1)))
                .hasMessageContaining("got 0 answers");
    }
}

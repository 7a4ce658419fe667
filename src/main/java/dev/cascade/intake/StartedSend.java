package dev.cascade.intake;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What becomes of one submit's `started` record on the task producer, from the moment its send is decided until the
 * broker answers it, told apart from the dispatch's own answer: the dispatch answers from its task records' acks alone
 * and reports the record's state at that moment ({@link #report()}); whatever the broker says later moves the state
 * on, and an acknowledgement that comes after an answer of {@link TaskPublisher.Started#IN_FLIGHT} is confirmed on
 * its own ({@link #acked()} says so). Every change is a compare-and-set, so the broker's callback and the answer may
 * race on any thread.
 */
final class StartedSend {
    private static final int NONE = 0;
    private static final int SENDING = 1;
    private static final int ACKED = 2;
    private static final int REFUSED = 3;
    private static final int REPORTED_IN_FLIGHT = 4;

    private final AtomicInteger state = new AtomicInteger(NONE);

    /** The record is to go after the task records (decided before they are sent). */
    void sending() {
        state.set(SENDING);
    }

    /**
     * The record is not sent after all (its task records failed, or the submit's deadline passed). True when that
     * stands; false when the dispatch has been answered already with the record in flight, so that it must still go.
     */
    boolean withdraw() {
        return state.compareAndSet(SENDING, NONE) || state.get() != REPORTED_IN_FLIGHT;
    }

    /** The broker acknowledged the record: true when the dispatch was answered before, so it is confirmed on its own. */
    boolean acked() {
        return !state.compareAndSet(SENDING, ACKED) && state.get() == REPORTED_IN_FLIGHT;
    }

    /** The broker (or the producer) refused the record. */
    void refused() {
        state.compareAndSet(SENDING, REFUSED);
    }

    /** The record's outcome as the dispatch answers; one still in flight is confirmed when it is acknowledged. */
    TaskPublisher.Started report() {
        while (true) {
            int now = state.get();
            if (now == ACKED) {
                return TaskPublisher.Started.ACKED;
            }
            if (now == REFUSED) {
                return TaskPublisher.Started.REFUSED;
            }
            if (now == REPORTED_IN_FLIGHT) {
                return TaskPublisher.Started.IN_FLIGHT;
            }
            if (now != SENDING) {
                return TaskPublisher.Started.NOT_SENT;
            }
            if (state.compareAndSet(SENDING, REPORTED_IN_FLIGHT)) {
                return TaskPublisher.Started.IN_FLIGHT;
            }
        }
    }
}

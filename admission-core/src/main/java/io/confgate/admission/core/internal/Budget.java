package io.confgate.admission.core.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server-wide bound on something outside input can grow (held places, hands): how many are in use, and
 * the most allowed. Checked before something new is taken; racing takers may pass it by a few, never by
 * more than the threads racing.
 */
final class Budget {
    private final AtomicInteger used = new AtomicInteger();
    private final int max;

    Budget(int max) {
        this.max = max;
    }

    boolean hasRoom(int count) {
        return used.get() + count <= max;
    }

    void take(int count) {
        used.addAndGet(count);
    }

    void give(int count) {
        used.addAndGet(-count);
    }

    int used() {
        return used.get();
    }

    int max() {
        return max;
    }
}

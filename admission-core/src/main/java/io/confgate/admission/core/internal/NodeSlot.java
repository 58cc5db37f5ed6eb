package io.confgate.admission.core.internal;

import io.confgate.admission.NodeLoad;
import io.confgate.admission.NodeState;
import io.confgate.admission.VisitorNode;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run-time state of one visitor node, shared by all conferences. The load (joined plus pending) is one
 * atomic so that "below capacity, take a place" is a single compare-and-set: no lock, and no node ever
 * passes its capacity through {@link #tryAcquire()}.
 */
final class NodeSlot {
    final VisitorNode node;
    final int index;
    private final double effectiveCapacity;
    private volatile NodeState state;
    private final AtomicInteger load = new AtomicInteger();
    private final AtomicInteger joined = new AtomicInteger();
    private final AtomicLong overflowed = new AtomicLong();

    NodeSlot(VisitorNode node, int index) {
        this.node = node;
        this.index = index;
        this.effectiveCapacity = node.capacity() * node.weight();
        this.state = node.initialState();
    }

    boolean healthy() {
        return state.acceptsVisitors();
    }

    void state(NodeState newState) {
        this.state = newState;
    }

    /** Takes one place if the node is below capacity. */
    boolean tryAcquire() {
        int capacity = node.capacity();
        for (;;) {
            int current = load.get();
            if (current >= capacity) {
                return false;
            }
            if (load.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Takes one place regardless of capacity: a visitor that is already there, or counted overflow. */
    void forceAcquire() {
        load.incrementAndGet();
    }

    void overflow() {
        load.incrementAndGet();
        overflowed.incrementAndGet();
    }

    /** Gives back one place (a pending redirect expired or was withdrawn, or a visitor left). */
    void release() {
        load.decrementAndGet();
    }

    void visitorJoined() {
        joined.incrementAndGet();
    }

    void visitorLeft() {
        joined.decrementAndGet();
        load.decrementAndGet();
    }

    /** Load relative to capacity × weight: what both policies compare. */
    double score() {
        return load.get() / effectiveCapacity;
    }

    NodeLoad snapshot() {
        int j = joined.get();
        int l = load.get();
        return new NodeLoad(node.id(), state, node.capacity(), j, Math.max(0, l - j), overflowed.get());
    }
}

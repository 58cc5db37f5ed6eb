package io.confgate.admission.core.internal;

import io.confgate.admission.BalancingPolicy;

/**
 * Chooses a visitor node for one conference and takes a place on it. Called with the conference's lock
 * held (its per-node usage is then stable); node loads are read and taken with compare-and-set, so
 * conferences placing visitors at the same time never push a node past capacity while another healthy
 * node has room. Deterministic: ties go to the node configured first.
 */
final class Balancer {
    private final NodeSlot[] slots;
    private final BalancingPolicy policy;
    private final int maxVisitorsPerNode;
    private final int maxWaitingVisitors;

    /**
     * Every healthy node's link for this conference waits for main seats and already holds
     * {@code admission.link.max-waiting-visitors}: no node can take one more now.
     */
    static final Choice WAIT = new Choice(null, false);

    /** The two possible choices per node, made once: placing allocates nothing. */
    private final Choice[] within;
    private final Choice[] over;

    Balancer(NodeSlot[] slots, BalancingPolicy policy, int maxVisitorsPerNode, int maxWaitingVisitors) {
        this.slots = slots;
        this.policy = policy;
        this.maxVisitorsPerNode = maxVisitorsPerNode;
        this.maxWaitingVisitors = maxWaitingVisitors;
        this.within = new Choice[slots.length];
        this.over = new Choice[slots.length];
        for (NodeSlot slot : slots) {
            within[slot.index] = new Choice(slot, false);
            over[slot.index] = new Choice(slot, true);
        }
    }

    /** Outcome of a placement: the node and whether it went over capacity. */
    record Choice(NodeSlot slot, boolean overflow) {
    }

    /**
     * Takes a place on a node for a visitor of {@code room}. A node whose link for this conference waits for main
     * seats and holds {@code max-waiting-visitors} already counts as full for it (its pre-join queue would drop
     * joins past its bound): the next node is opened, as at {@code max-visitors-per-node}.
     *
     * @return the chosen node, {@link #WAIT} when every healthy node's queue for this conference is full, or null
     *         when no node is healthy
     */
    Choice place(Room room) {
        if (policy == BalancingPolicy.PACK) {
            // First, before reading every node's load: those loads change with every placement in every
            // room, so each read is likely a cache miss on a line another core just wrote.
            NodeSlot packed = packOntoUsedNodes(room);
            if (packed != null) {
                return within[packed.index];
            }
        }
        NodeSlot[] byScore = healthyByScore();
        if (byScore.length == 0) {
            return null;
        }
        if (policy == BalancingPolicy.PACK) {
            // Open the least-loaded node this conference does not use yet.
            for (NodeSlot slot : byScore) {
                if (!room.uses(slot) && slot.tryAcquire()) {
                    return within[slot.index];
                }
            }
        }
        // SPREAD, or PACK with every node holding max-visitors-per-node of this conference: least loaded.
        for (NodeSlot slot : byScore) {
            if (!waitingFull(room, slot) && slot.tryAcquire()) {
                return within[slot.index];
            }
        }
        // Every healthy node is at capacity: the least loaded takes it, and that is counted.
        NodeSlot least = null;
        for (NodeSlot slot : byScore) {
            if (!waitingFull(room, slot) && (least == null || slot.score() < least.score())) {
                least = slot;
            }
        }
        if (least == null) {
            return WAIT;
        }
        least.overflow();
        return over[least.index];
    }

    private NodeSlot packOntoUsedNodes(Room room) {
        for (NodeSlot slot : slots) {
            if (slot.healthy() && room.uses(slot) && room.usage(slot) < maxVisitorsPerNode
                    && !waitingFull(room, slot) && slot.tryAcquire()) {
                return slot;
            }
        }
        return null;
    }

    private boolean waitingFull(Room room, NodeSlot slot) {
        return room.waitingFull(slot, maxWaitingVisitors);
    }

    /** Healthy nodes, least loaded first; a stable insertion sort keeps configuration order on ties. */
    private NodeSlot[] healthyByScore() {
        NodeSlot[] out = new NodeSlot[slots.length];
        double[] scores = new double[slots.length];
        int n = 0;
        for (NodeSlot slot : slots) {
            if (!slot.healthy()) {
                continue;
            }
            double score = slot.score();
            int i = n++;
            while (i > 0 && scores[i - 1] > score) {
                out[i] = out[i - 1];
                scores[i] = scores[i - 1];
                i--;
            }
            out[i] = slot;
            scores[i] = score;
        }
        if (n == out.length) {
            return out;
        }
        NodeSlot[] trimmed = new NodeSlot[n];
        System.arraycopy(out, 0, trimmed, 0, n);
        return trimmed;
    }
}

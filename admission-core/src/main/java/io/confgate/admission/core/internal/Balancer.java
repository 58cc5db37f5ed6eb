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

    Balancer(NodeSlot[] slots, BalancingPolicy policy, int maxVisitorsPerNode) {
        this.slots = slots;
        this.policy = policy;
        this.maxVisitorsPerNode = maxVisitorsPerNode;
    }

    /** Outcome of a placement: the node and whether it went over capacity. */
    record Choice(NodeSlot slot, boolean overflow) {
    }

    /**
     * Takes a place on a node for a visitor of {@code room}.
     *
     * @return the chosen node, or null when no node is healthy
     */
    Choice place(RoomState room) {
        NodeSlot[] byScore = healthyByScore();
        if (byScore.length == 0) {
            return null;
        }
        if (policy == BalancingPolicy.PACK) {
            NodeSlot packed = packOntoUsedNodes(room);
            if (packed != null) {
                return new Choice(packed, false);
            }
            // Open the least-loaded node this conference does not use yet.
            for (NodeSlot slot : byScore) {
                if (!uses(room, slot) && slot.tryAcquire()) {
                    return new Choice(slot, false);
                }
            }
        }
        // SPREAD, or PACK with every node holding max-visitors-per-node of this conference: least loaded.
        for (NodeSlot slot : byScore) {
            if (slot.tryAcquire()) {
                return new Choice(slot, false);
            }
        }
        // Every healthy node is at capacity: the least loaded takes it, and that is counted.
        NodeSlot least = byScore[0];
        for (NodeSlot slot : byScore) {
            if (slot.score() < least.score()) {
                least = slot;
            }
        }
        least.overflow();
        return new Choice(least, true);
    }

    private NodeSlot packOntoUsedNodes(RoomState room) {
        for (NodeSlot slot : slots) {
            if (slot.healthy() && uses(room, slot) && room.usage(slot.index) < maxVisitorsPerNode
                    && slot.tryAcquire()) {
                return slot;
            }
        }
        return null;
    }

    private static boolean uses(RoomState room, NodeSlot slot) {
        return room.linked[slot.index] || room.usage(slot.index) > 0;
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

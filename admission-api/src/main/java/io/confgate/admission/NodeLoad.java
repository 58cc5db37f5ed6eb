package io.confgate.admission;

/**
 * A snapshot of one visitor node.
 *
 * @param nodeId     the node id
 * @param state      up, draining or down
 * @param capacity   the configured capacity
 * @param joined     visitors on the node, over all conferences
 * @param pending    redirects to the node not yet confirmed by a join
 * @param overflowed how many placements went to this node while every healthy node was at capacity
 */
public record NodeLoad(String nodeId, NodeState state, int capacity, int joined, int pending, long overflowed) {

    /** The load balancing reads: joined plus pending. */
    public int load() {
        return joined + pending;
    }
}

package io.confgate.admission.core.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * One room's joined visitors: the node each is on, and how many per node. A visitor's node place is taken
 * by whoever reports the join ({@link Room}); leaving gives it back here. Guarded by the room's lock.
 */
final class JoinedVisitors {
    private final Map<String, NodeSlot> byMember = new HashMap<>();
    private final int[] perNode;

    JoinedVisitors(int nodes) {
        this.perNode = new int[nodes];
    }

    /** The member's node, or null. */
    NodeSlot of(String key) {
        return byMember.get(key);
    }

    int on(NodeSlot node) {
        return perNode[node.index];
    }

    boolean isEmpty() {
        return byMember.isEmpty();
    }

    /** Records a joined visitor (its place on the node is already taken); returns where it was before, or null. */
    NodeSlot join(String key, NodeSlot node) {
        node.visitorJoined();
        perNode[node.index]++;
        NodeSlot previous = byMember.put(key, node);
        if (previous != null) {
            left(previous);
        }
        return previous;
    }

    /** The member left; its node place is given back. Returns its node, or null if it was not here. */
    NodeSlot leave(String key) {
        NodeSlot node = byMember.remove(key);
        if (node != null) {
            left(node);
        }
        return node;
    }

    /** Every visitor on {@code node} left; returns how many. */
    int leaveAll(NodeSlot node) {
        int before = perNode[node.index];
        byMember.values().removeIf(n -> n == node);
        for (int i = 0; i < before; i++) {
            left(node);
        }
        return before;
    }

    /** Everyone left (the room ended). */
    void clear() {
        byMember.values().forEach(this::left);
        byMember.clear();
    }

    /** Every joined visitor and its node. */
    void forEach(java.util.function.BiConsumer<String, NodeSlot> action) {
        byMember.forEach(action);
    }

    private void left(NodeSlot node) {
        perNode[node.index]--;
        node.visitorLeft();
    }
}

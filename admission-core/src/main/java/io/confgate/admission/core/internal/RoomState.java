package io.confgate.admission.core.internal;

import io.confgate.admission.RoomOccupancy;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jxmpp.jid.EntityBareJid;

/**
 * One conference's counts. Guarded by its own monitor: every decision and event for the room holds it,
 * so the limit check and the seat reservation are one atomic step. The two counters that expiry
 * decrements from Caffeine's maintenance ({@link #reservedSeats}, {@link #pendingPerNode}) are atomics
 * that only ever go down outside the lock, which can only make the limit check more conservative.
 * Identity equality is deliberate: a room destroyed and created again is a new state.
 */
final class RoomState {
    final EntityBareJid jid;
    final Set<String> mainMembers = new HashSet<>();
    final Set<String> uncountedMembers = new HashSet<>();
    final AtomicInteger reservedSeats = new AtomicInteger();
    final Map<String, NodeSlot> visitors = new HashMap<>();
    final int[] joinedPerNode;
    final AtomicIntegerArray pendingPerNode;
    final boolean[] linked;
    boolean destroyed;
    long lastActivityNanos;
    /** Before this time no seat of this room can have expired (a lower bound; see the engine). */
    long nextSeatExpiryCheckNanos;
    /** Promotion state; null until the room's first raised hand. */
    RoomPromotions promotions;

    RoomState(EntityBareJid jid, int nodeCount, long now) {
        this.jid = jid;
        this.joinedPerNode = new int[nodeCount];
        this.pendingPerNode = new AtomicIntegerArray(nodeCount);
        this.linked = new boolean[nodeCount];
        this.lastActivityNanos = now;
    }

    RoomPromotions promotions() {
        if (promotions == null) {
            promotions = new RoomPromotions();
        }
        return promotions;
    }

    int mainOccupancy() {
        return mainMembers.size() + reservedSeats.get();
    }

    /** This conference's visitors on node {@code i}, joined and pending. */
    int usage(int i) {
        return joinedPerNode[i] + pendingPerNode.get(i);
    }

    boolean hasVisitors() {
        if (!visitors.isEmpty()) {
            return true;
        }
        for (int i = 0; i < linked.length; i++) {
            if (pendingPerNode.get(i) > 0) {
                return true;
            }
        }
        return false;
    }

    boolean isIdle() {
        if (!mainMembers.isEmpty() || !uncountedMembers.isEmpty() || reservedSeats.get() != 0 || hasVisitors()) {
            return false;
        }
        for (boolean l : linked) {
            if (l) {
                return false;
            }
        }
        // Live hands, tickets and demotions keep the room: forgetting it would void them.
        return promotions == null || promotions.isEmpty();
    }

    RoomOccupancy snapshot(NodeSlot[] slots) {
        Map<String, Integer> joined = new HashMap<>();
        Map<String, Integer> pending = new HashMap<>();
        for (NodeSlot slot : slots) {
            int j = joinedPerNode[slot.index];
            int p = pendingPerNode.get(slot.index);
            if (j > 0) {
                joined.put(slot.node.id(), j);
            }
            if (p > 0) {
                pending.put(slot.node.id(), p);
            }
        }
        return new RoomOccupancy(jid, mainMembers.size(), reservedSeats.get(), uncountedMembers.size(),
                joined, pending);
    }
}

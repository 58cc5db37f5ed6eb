package io.confgate.admission.core.internal;

import io.confgate.admission.RoomOccupancy;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.jxmpp.jid.EntityBareJid;

/**
 * One conference's counts. Guarded by its own monitor: every decision, event and expiry for the room
 * holds it, so the limit check and the seat reservation are one atomic step, and the counts are exact.
 * Identity equality is deliberate: a room destroyed and created again is a new state.
 */
final class RoomState implements ToIntFunction<String> {
    /** What a main seat carries in {@link #seats}: nothing but its count. */
    static final int SEAT = 0;
    private static final HeldPlaces.Release NOTHING_TO_RELEASE = (memberKey, place) -> { };
    final EntityBareJid jid;
    /** Every node, by index (the engine's array, shared and never changed). */
    private final NodeSlot[] slots;
    final Set<String> mainMembers = new HashSet<>();
    final Set<String> uncountedMembers = new HashSet<>();
    /** Main seats held for members that have not joined yet. */
    final HeldPlaces seats = new HeldPlaces(this);
    /** Redirects to nodes not yet confirmed by a visitor join; each place is the node's index. */
    final HeldPlaces redirects = new HeldPlaces(this);
    /**
     * The last member key both tables hashed, and its hash: one decision looks its member up in the seats
     * and the redirects, and holds a place, so the keyed hash is computed once instead of up to three times.
     */
    private String lastHashedKey;
    private int lastHash;
    /** Made once: expiry runs on nearly every decision under a flood. */
    private final HeldPlaces.Release releaseRedirect = (memberKey, node) -> releaseRedirect(node);
    final Map<String, NodeSlot> visitors = new HashMap<>();
    final int[] joinedPerNode;
    /** Redirects held per node index: {@link #redirects} counted by node. */
    final int[] pendingPerNode;
    final boolean[] linked;
    boolean destroyed;
    long lastActivityNanos;
    /** Promotion state; null until the room's first raised hand. */
    RoomPromotions promotions;

    RoomState(EntityBareJid jid, NodeSlot[] slots, long now) {
        this.jid = jid;
        this.slots = slots;
        this.joinedPerNode = new int[slots.length];
        this.pendingPerNode = new int[slots.length];
        this.linked = new boolean[slots.length];
        this.lastActivityNanos = now;
    }

    /** The member key's hash for {@link #seats} and {@link #redirects} (the room's lock is held). */
    @Override
    public int applyAsInt(String memberKey) {
        if (memberKey != lastHashedKey) { // the same key object, not an equal one: no string comparison
            lastHash = HeldPlaces.keyedHash(memberKey);
            lastHashedKey = memberKey;
        }
        return lastHash;
    }

    RoomPromotions promotions() {
        if (promotions == null) {
            promotions = new RoomPromotions();
        }
        return promotions;
    }

    int mainOccupancy() {
        return mainMembers.size() + seats.size();
    }

    /** This conference's visitors on node {@code i}, joined and pending. */
    int usage(int i) {
        return joinedPerNode[i] + pendingPerNode[i];
    }

    boolean hasVisitors() {
        return !visitors.isEmpty() || redirects.size() > 0;
    }

    /** Holds a redirect to {@code slot}, whose place the caller has already taken. */
    void holdRedirect(String memberKey, NodeSlot slot, long deadlineNanos) {
        redirects.hold(memberKey, slot.index, deadlineNanos);
        pendingPerNode[slot.index]++;
    }

    /** The node of a member's redirect, renewed until {@code deadlineNanos}; null if it has none. */
    NodeSlot renewRedirect(String memberKey, long deadlineNanos) {
        int node = redirects.renew(memberKey, deadlineNanos);
        return node == HeldPlaces.ABSENT ? null : slots[node];
    }

    /** Removes a member's redirect without giving its node place back; returns the node, or null if none. */
    NodeSlot takeRedirect(String memberKey) {
        int node = redirects.remove(memberKey);
        return node == HeldPlaces.ABSENT ? null : slots[node];
    }

    /** Removes a member's redirect and gives its node place back; returns the node, or null if none. */
    NodeSlot withdrawRedirect(String memberKey) {
        int node = redirects.remove(memberKey);
        if (node == HeldPlaces.ABSENT) {
            return null;
        }
        releaseRedirect(node);
        return slots[node];
    }

    private void releaseRedirect(int node) {
        pendingPerNode[node]--;
        slots[node].release();
    }

    /**
     * Gives back every seat and redirect whose time is up. Called first under the lock by everything that
     * reads the counts, so no expired place is ever counted or renewed.
     */
    void expireHolds(long now) {
        if (seats.isDue(now)) {
            seats.expire(now, NOTHING_TO_RELEASE); // a seat is only a count: leaving the table gives it back
        }
        if (redirects.isDue(now)) {
            redirects.expire(now, releaseRedirect);
        }
    }

    /** Gives back every held place (the room is destroyed). */
    void dropHolds() {
        seats.clear(NOTHING_TO_RELEASE);
        redirects.clear(releaseRedirect);
    }

    boolean isIdle() {
        if (!mainMembers.isEmpty() || !uncountedMembers.isEmpty() || seats.size() != 0 || hasVisitors()) {
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
            int p = pendingPerNode[slot.index];
            if (j > 0) {
                joined.put(slot.node.id(), j);
            }
            if (p > 0) {
                pending.put(slot.node.id(), p);
            }
        }
        return new RoomOccupancy(jid, mainMembers.size(), seats.size(), uncountedMembers.size(),
                joined, pending);
    }
}

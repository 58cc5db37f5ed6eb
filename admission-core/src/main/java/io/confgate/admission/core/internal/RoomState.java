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
    /**
     * What a main seat carries in {@link #held}: a value no node index reaches (a redirect carries its
     * node's index).
     */
    static final int SEAT = Integer.MAX_VALUE;
    final EntityBareJid jid;
    /** Every node, by index (the engine's array, shared and never changed). */
    private final NodeSlot[] slots;
    final Set<String> mainMembers = new HashSet<>();
    final Set<String> uncountedMembers = new HashSet<>();
    /**
     * Places held for members who have not joined yet: a main seat, or a redirect to a node not yet
     * confirmed by a visitor join. One table for both, because a member holds at most one place in a room:
     * a decision finds its member's place, whichever kind, with one look-up, and the table keeps the
     * "at most one" true by construction.
     */
    private final HeldPlaces held = new HeldPlaces(this);
    /** How many of {@link #held} are seats; the rest are redirects. */
    private int seatsHeld;
    /**
     * The last member key the table hashed, and its hash: one decision looks its member up more than
     * once (a seat? a redirect?) and then holds a place, so the keyed hash is computed once.
     */
    private String lastHashedKey;
    private int lastHash;
    /** Made once: expiry runs on nearly every decision under a flood. */
    private final HeldPlaces.Release release = (memberKey, place) -> released(place);
    final Map<String, NodeSlot> visitors = new HashMap<>();
    final int[] joinedPerNode;
    /** Redirects held per node index: the redirects in {@link #held}, counted by node. */
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

    /** The member key's hash for {@link #held} (the room's lock is held). */
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
        return mainMembers.size() + seatsHeld;
    }

    /** Main seats held for members who have not joined yet. */
    int seatsHeld() {
        return seatsHeld;
    }

    /** Redirects held: members sent to a node that has not reported their join yet. */
    int redirectsHeld() {
        return held.size() - seatsHeld;
    }

    /** This conference's visitors on node {@code i}, joined and pending. */
    int usage(int i) {
        return joinedPerNode[i] + pendingPerNode[i];
    }

    boolean hasVisitors() {
        return !visitors.isEmpty() || redirectsHeld() > 0;
    }

    boolean holdsSeat(String memberKey) {
        return held.placeOf(memberKey) == SEAT;
    }

    /** Renews the member's seat until {@code deadlineNanos}; false if it holds none (a redirect is left alone). */
    boolean renewSeat(String memberKey, long deadlineNanos) {
        if (held.placeOf(memberKey) != SEAT) {
            return false;
        }
        held.renew(memberKey, deadlineNanos);
        return true;
    }

    /** Holds a seat until {@code deadlineNanos}; a place the member held before is replaced, and given back if a redirect. */
    void holdSeat(String memberKey, long deadlineNanos) {
        replaced(held.hold(memberKey, SEAT, deadlineNanos));
        seatsHeld++;
    }

    /** Gives back the member's seat; false if it holds none (a redirect is left alone). */
    boolean dropSeat(String memberKey) {
        if (held.placeOf(memberKey) != SEAT) {
            return false;
        }
        held.remove(memberKey);
        seatsHeld--;
        return true;
    }

    /**
     * Holds a redirect to {@code slot}, whose place the caller has already taken; a place the member held
     * before is replaced, and given back.
     */
    void holdRedirect(String memberKey, NodeSlot slot, long deadlineNanos) {
        replaced(held.hold(memberKey, slot.index, deadlineNanos));
        pendingPerNode[slot.index]++;
    }

    /** The node of a member's redirect, renewed until {@code deadlineNanos}; null if it has none. */
    NodeSlot renewRedirect(String memberKey, long deadlineNanos) {
        int place = held.placeOf(memberKey);
        if (!isRedirect(place)) {
            return null;
        }
        held.renew(memberKey, deadlineNanos);
        return slots[place];
    }

    /** Removes a member's redirect without giving its node place back; returns the node, or null if none. */
    NodeSlot takeRedirect(String memberKey) {
        int place = held.placeOf(memberKey);
        if (!isRedirect(place)) {
            return null;
        }
        held.remove(memberKey);
        return slots[place];
    }

    /** Removes a member's redirect and gives its node place back; returns the node, or null if none. */
    NodeSlot withdrawRedirect(String memberKey) {
        NodeSlot node = takeRedirect(memberKey);
        if (node != null) {
            releaseRedirect(node.index);
        }
        return node;
    }

    private static boolean isRedirect(int place) {
        return place != HeldPlaces.ABSENT && place != SEAT;
    }

    /** Accounts for a place that left the table: a seat is only a count, a redirect gives its node place back. */
    private void released(int place) {
        if (place == SEAT) {
            seatsHeld--;
        } else {
            releaseRedirect(place);
        }
    }

    /** Accounts for the place a new hold replaced, if there was one. */
    private void replaced(int previous) {
        if (previous != HeldPlaces.ABSENT) {
            released(previous);
        }
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
        if (held.isDue(now)) {
            held.expire(now, release);
        }
    }

    /** Gives back every held place (the room is destroyed). */
    void dropHolds() {
        held.clear(release);
    }

    boolean isIdle() {
        if (!mainMembers.isEmpty() || !uncountedMembers.isEmpty() || seatsHeld != 0 || hasVisitors()) {
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
        return new RoomOccupancy(jid, mainMembers.size(), seatsHeld, uncountedMembers.size(),
                joined, pending);
    }
}

package io.confgate.admission.core.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * One room's held places, at most one per member, and the counts they make: seats held, and redirects
 * pending per node. Every hold lasts the same join latency, so insertion order is deadline order: a
 * renewal is a remove-then-put that moves the hold to the end, and expiry reads from the head. Whatever
 * leaves gives its count back, and a redirect its node place. Guarded by the room's lock.
 */
final class Holds {
    private final LinkedHashMap<String, Hold> byMember = new LinkedHashMap<>();
    private final int[] pendingPerNode;
    /** Every room's held places together, against {@code admission.limits.max-held-places}. */
    private final Budget budget;
    private int seats;

    Holds(int nodes, Budget budget) {
        this.pendingPerNode = new int[nodes];
        this.budget = budget;
    }

    /** Whether the member holds a place, or a new one may be held. */
    boolean mayHold(String key) {
        return byMember.containsKey(key) || budget.hasRoom(1);
    }

    /** The member's place, or null. */
    Hold of(String key) {
        return byMember.get(key);
    }

    /**
     * Holds a place, replacing (and giving back) the member's previous one. A redirect renewed to the
     * same node keeps its node place and its count.
     */
    void hold(String key, Hold hold) {
        Hold previous = byMember.remove(key);
        byMember.put(key, hold);
        if (previous instanceof Hold.Redirect p && hold instanceof Hold.Redirect h && p.node() == h.node()) {
            return;
        }
        if (previous != null) {
            release(previous);
        } else {
            budget.take(1);
        }
        if (hold instanceof Hold.Redirect r) {
            pendingPerNode[r.node().index]++;
        } else {
            seats++;
        }
    }

    /** Removes the member's place and gives it back; returns it, or null. */
    Hold drop(String key) {
        Hold hold = byMember.remove(key);
        if (hold != null) {
            release(hold);
            budget.give(1);
        }
        return hold;
    }

    /** Removes the member's redirect without giving its node place back: the visitor is there now. */
    void confirm(String key) {
        Hold.Redirect redirect = (Hold.Redirect) byMember.remove(key);
        pendingPerNode[redirect.node().index]--;
        budget.give(1);
    }

    /**
     * Gives back the oldest seat (a join reported without its member key takes it); returns the key it was held
     * for, or null if none was held.
     */
    String dropOldestSeat() {
        for (var it = byMember.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            if (entry.getValue() instanceof Hold.Seat) {
                it.remove();
                release(entry.getValue());
                budget.give(1);
                return entry.getKey();
            }
        }
        return null;
    }

    /**
     * Confirms the oldest redirect to {@code node} without giving its place back (a visitor reported
     * there without its member key takes it); false if none. Walks the holds: a reported join is rare next
     * to the decisions that make them.
     */
    boolean confirmOldestRedirect(NodeSlot node) {
        for (var it = byMember.values().iterator(); it.hasNext(); ) {
            if (it.next() instanceof Hold.Redirect r && r.node() == node) {
                it.remove();
                pendingPerNode[node.index]--;
                budget.give(1);
                return true;
            }
        }
        return false;
    }

    /**
     * When the most recently given held seat was first given, or {@link Long#MIN_VALUE} if none is held. Walks the
     * holds: it is read when a link waits for seats, not per decision.
     */
    long newestSeatSince() {
        long newest = Long.MIN_VALUE;
        boolean any = false;
        for (Hold hold : byMember.values()) {
            if (hold instanceof Hold.Seat seat && (!any || seat.since() - newest > 0)) {
                newest = seat.since();
                any = true;
            }
        }
        return newest;
    }

    /** The oldest held seat, or null. */
    Hold.Seat oldestSeat() {
        for (Hold hold : byMember.values()) {
            if (hold instanceof Hold.Seat seat) {
                return seat;
            }
        }
        return null;
    }

    /** Gives back every held seat (their members are given up); returns how many. */
    int dropSeats() {
        int dropped = 0;
        for (var it = byMember.values().iterator(); it.hasNext() && seats > 0; ) {
            Hold hold = it.next();
            if (hold instanceof Hold.Seat) {
                it.remove();
                release(hold);
                budget.give(1);
                dropped++;
            }
        }
        return dropped;
    }

    /** Gives back the places whose deadline has come; true if there were any. */
    boolean expire(long now) {
        boolean any = false;
        Iterator<Hold> oldest = byMember.values().iterator();
        while (oldest.hasNext()) {
            Hold hold = oldest.next();
            if (now - hold.deadline() < 0) {
                break;
            }
            oldest.remove();
            release(hold);
            budget.give(1);
            any = true;
        }
        return any;
    }

    /** Gives back every place. */
    void clear() {
        byMember.values().forEach(this::release);
        budget.give(byMember.size());
        byMember.clear();
    }

    /** Every held place by member, oldest first. */
    void forEach(java.util.function.BiConsumer<String, Hold> action) {
        byMember.forEach(action);
    }

    int seats() {
        return seats;
    }

    int redirects() {
        return byMember.size() - seats;
    }

    int pending(NodeSlot node) {
        return pendingPerNode[node.index];
    }

    boolean isEmpty() {
        return byMember.isEmpty();
    }

    private void release(Hold hold) {
        if (hold instanceof Hold.Redirect r) {
            pendingPerNode[r.node().index]--;
            r.node().release();
        } else {
            seats--;
        }
    }
}

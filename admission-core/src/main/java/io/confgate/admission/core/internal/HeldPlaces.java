package io.confgate.admission.core.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One room's places held for members who have not joined yet, of one kind: main seats, or redirects to
 * nodes. Guarded by the room's monitor, like the rest of {@link RoomState}.
 *
 * <p>Every place is held for the same time, so insertion order is deadline order; a renewal removes the
 * place and appends it again, which keeps that true. Expiry is then a walk from the oldest end that stops
 * at the first live place: O(1) when nothing is due, and no timer, global queue or lock shared between
 * rooms. Two objects per held place (the map entry and the {@link Hold}).
 */
final class HeldPlaces {
    /** A held place: {@code slot} is the node of a redirect, null for a main seat. */
    record Hold(NodeSlot slot, long deadlineNanos) {
    }

    private final LinkedHashMap<String, Hold> byMember = new LinkedHashMap<>();
    /** No place expires before this; a lower bound, exact after each {@link #expire}. */
    private long nextDeadlineNanos;

    int size() {
        return byMember.size();
    }

    boolean holds(String memberKey) {
        return byMember.containsKey(memberKey);
    }

    /** Holds a place for a member that has none, until {@code deadlineNanos}. */
    void hold(String memberKey, NodeSlot slot, long deadlineNanos) {
        if (byMember.isEmpty()) {
            nextDeadlineNanos = deadlineNanos;
        }
        byMember.put(memberKey, new Hold(slot, deadlineNanos));
    }

    /** Moves a member's place to a new deadline; returns it, or null if the member holds none. */
    Hold renew(String memberKey, long deadlineNanos) {
        Hold old = byMember.remove(memberKey);
        if (old == null) {
            return null;
        }
        hold(memberKey, old.slot(), deadlineNanos);
        return old;
    }

    /** Takes a member's place away without giving it back; the caller does that. */
    Hold remove(String memberKey) {
        return byMember.remove(memberKey);
    }

    /** Whether some place may have expired by {@code now}: the cheap check before {@link #expire}. */
    boolean isDue(long now) {
        return !byMember.isEmpty() && now - nextDeadlineNanos >= 0;
    }

    /** Removes every place whose deadline is at or before {@code now}, oldest first, and hands each to {@code expired}. */
    void expire(long now, Consumer<Hold> expired) {
        if (!isDue(now)) {
            return;
        }
        Iterator<Hold> oldestFirst = byMember.values().iterator();
        while (oldestFirst.hasNext()) {
            Hold hold = oldestFirst.next();
            if (now - hold.deadlineNanos() < 0) {
                nextDeadlineNanos = hold.deadlineNanos();
                return;
            }
            oldestFirst.remove();
            expired.accept(hold);
        }
    }

    /** Removes every place and hands each to {@code dropped}. */
    void clear(Consumer<Hold> dropped) {
        for (Map.Entry<String, Hold> entry : byMember.entrySet()) {
            dropped.accept(entry.getValue());
        }
        byMember.clear();
    }
}

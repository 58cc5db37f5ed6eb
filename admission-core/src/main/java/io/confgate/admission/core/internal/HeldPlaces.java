package io.confgate.admission.core.internal;

import java.util.function.Consumer;

/**
 * One room's places held for members who have not joined yet, of one kind: main seats, or redirects to
 * nodes. Guarded by the room's monitor, like the rest of {@link RoomState}.
 *
 * <p>Every place is held for the same time, so insertion order is deadline order; a renewal moves the
 * place to the newest end, which keeps that true. Expiry is then a walk from the oldest end that stops at
 * the first live place: O(1) when nothing is due, and no timer, global queue or lock shared between
 * rooms.
 *
 * <p>A hash table whose entries are also the links of the age list, rather than a {@code LinkedHashMap}
 * of records: under a flood of joins that never confirm (a minute of them is held) the held places are
 * most of the heap, and one object per place instead of two, renewed in place, is that much less for the
 * collector to copy.
 */
final class HeldPlaces {
    private static final int MIN_CAPACITY = 16;

    /** A held place: {@link #slot()} is the node of a redirect, null for a main seat. */
    static final class Hold {
        private final String memberKey;
        private final int hash;
        private NodeSlot slot;
        private long deadlineNanos;
        private Hold nextInBucket;
        private Hold older;
        private Hold newer;

        private Hold(String memberKey, int hash, NodeSlot slot, long deadlineNanos) {
            this.memberKey = memberKey;
            this.hash = hash;
            this.slot = slot;
            this.deadlineNanos = deadlineNanos;
        }

        NodeSlot slot() {
            return slot;
        }

        long deadlineNanos() {
            return deadlineNanos;
        }
    }

    private Hold[] buckets = new Hold[MIN_CAPACITY];
    private int size;
    private Hold oldest;
    private Hold newest;

    int size() {
        return size;
    }

    boolean holds(String memberKey) {
        return find(memberKey) != null;
    }

    /** Holds a place for the member until {@code deadlineNanos}, replacing one it already holds. */
    void hold(String memberKey, NodeSlot slot, long deadlineNanos) {
        int hash = spread(memberKey.hashCode());
        for (Hold h = buckets[hash & (buckets.length - 1)]; h != null; h = h.nextInBucket) {
            if (h.hash == hash && h.memberKey.equals(memberKey)) {
                h.slot = slot;
                renew(h, deadlineNanos);
                return;
            }
        }
        if (size >= buckets.length - (buckets.length >>> 2)) { // load factor 3/4, as HashMap
            rehash(buckets.length << 1);
        }
        Hold hold = new Hold(memberKey, hash, slot, deadlineNanos);
        int i = hash & (buckets.length - 1);
        hold.nextInBucket = buckets[i];
        buckets[i] = hold;
        appendNewest(hold);
        size++;
    }

    /**
     * Moves a member's place to a new deadline, at the newest end; returns it (now with that deadline),
     * or null if the member holds none.
     */
    Hold renew(String memberKey, long deadlineNanos) {
        Hold hold = find(memberKey);
        if (hold != null) {
            renew(hold, deadlineNanos);
        }
        return hold;
    }

    private void renew(Hold hold, long deadlineNanos) {
        hold.deadlineNanos = deadlineNanos;
        if (hold != newest) {
            unlinkAge(hold);
            appendNewest(hold);
        }
    }

    /** Takes a member's place away without giving it back; the caller does that. */
    Hold remove(String memberKey) {
        int hash = spread(memberKey.hashCode());
        int i = hash & (buckets.length - 1);
        Hold previous = null;
        for (Hold h = buckets[i]; h != null; previous = h, h = h.nextInBucket) {
            if (h.hash == hash && h.memberKey.equals(memberKey)) {
                unlinkBucket(i, previous, h);
                unlinkAge(h);
                size--;
                return h;
            }
        }
        return null;
    }

    /** Whether some place may have expired by {@code now}: the cheap check before {@link #expire}. */
    boolean isDue(long now) {
        return oldest != null && now - oldest.deadlineNanos >= 0;
    }

    /** Removes every place whose deadline is at or before {@code now}, oldest first, and hands each to {@code expired}. */
    void expire(long now, Consumer<Hold> expired) {
        while (isDue(now)) {
            Hold hold = oldest;
            remove(hold.memberKey);
            expired.accept(hold);
        }
        // A room that held a flood gives the table back as the flood expires.
        if (buckets.length > MIN_CAPACITY && size < buckets.length >>> 3) {
            rehash(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, size)) << 2));
        }
    }

    /** Removes every place and hands each to {@code dropped}, oldest first. */
    void clear(Consumer<Hold> dropped) {
        for (Hold h = oldest; h != null; h = h.newer) {
            dropped.accept(h);
        }
        buckets = new Hold[MIN_CAPACITY];
        size = 0;
        oldest = null;
        newest = null;
    }

    private Hold find(String memberKey) {
        int hash = spread(memberKey.hashCode());
        for (Hold h = buckets[hash & (buckets.length - 1)]; h != null; h = h.nextInBucket) {
            if (h.hash == hash && h.memberKey.equals(memberKey)) {
                return h;
            }
        }
        return null;
    }

    private void rehash(int capacity) {
        Hold[] table = new Hold[capacity];
        for (Hold h = oldest; h != null; h = h.newer) {
            int i = h.hash & (capacity - 1);
            h.nextInBucket = table[i];
            table[i] = h;
        }
        buckets = table;
    }

    private void unlinkBucket(int i, Hold previous, Hold h) {
        if (previous == null) {
            buckets[i] = h.nextInBucket;
        } else {
            previous.nextInBucket = h.nextInBucket;
        }
        h.nextInBucket = null;
    }

    private void appendNewest(Hold h) {
        h.older = newest;
        h.newer = null;
        if (newest == null) {
            oldest = h;
        } else {
            newest.newer = h;
        }
        newest = h;
    }

    private void unlinkAge(Hold h) {
        if (h.older == null) {
            oldest = h.newer;
        } else {
            h.older.newer = h.newer;
        }
        if (h.newer == null) {
            newest = h.older;
        } else {
            h.newer.older = h.older;
        }
        h.older = null;
        h.newer = null;
    }

    /** As {@code HashMap}: the high bits take part in choosing a bucket. */
    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }
}

package io.confgate.admission.core.internal;

import java.security.SecureRandom;
import java.util.function.ToIntFunction;

/**
 * One room's places held for members who have not joined yet, of one kind: main seats, or redirects to
 * nodes. Each place carries a small non-negative int, the node index of a redirect (seats carry 0).
 * Guarded by the room's monitor, like the rest of {@link RoomState}.
 *
 * <p>Every place is held for the same time, so insertion order is deadline order; a renewal moves the
 * place to the newest end, which keeps that true. Expiry is then a walk from the oldest end that stops at
 * the first live place: O(1) when nothing is due, and no timer, global queue or lock shared between
 * rooms.
 *
 * <p>Why primitive arrays instead of a map of entry objects: under a flood of joins that never confirm
 * (a minute of them is held) the held places are most of the heap. Here a place is a row of a
 * {@code long[]}, so the collector has nothing to copy or trace but the member key (young-collection
 * pauses halved, BENCHMARKS.md session 5); a lookup of an absent member reads only {@link #index}, whose
 * slots hold the hash next to the row number; and the oldest deadline is a field, so the "anything due?"
 * check that precedes every decision reads no other memory.
 *
 * <p>Rows are numbered 0..capacity-1. A freed row goes to the head of a free list and is the next one
 * taken; in the steady state of a flood the row that just expired is reused by the next hold, so both
 * touch the same memory.
 */
final class HeldPlaces {
    /** What {@link #renew} and {@link #remove} return for a member who holds no place. */
    static final int ABSENT = -1;
    private static final int NONE = -1;
    private static final int MIN_CAPACITY = 8;
    private static final int ROW = 4; // longs per row
    private static final int DEADLINE = 0;
    private static final int HASH_PLACE = 1;
    private static final int OLDER_NEWER = 2;
    private static final String[] NO_KEYS = {};
    private static final long[] NO_LONGS = {};
    /**
     * Member keys come from clients (a session id), and strings with equal {@code String} hashes are easy to
     * make: thousands of them in one room would put every place in one probe run, and each hold, renewal or
     * expiry would walk it under the room's lock. SipHash under a key drawn at start spreads any set of
     * keys a client can choose as it spreads random ones.
     */
    private static final long K0;
    private static final long K1;

    static {
        SecureRandom seed = new SecureRandom();
        K0 = seed.nextLong();
        K1 = seed.nextLong();
    }

    private final ToIntFunction<String> hasher;

    /** Receives a place the table gave up (expired or cleared): the member and what the place carried. */
    @FunctionalInterface
    interface Release {
        void released(String memberKey, int place);
    }

    /**
     * Rows, four longs each: the deadline; the hash (high half) and the place (low half); the older and
     * the newer row of the age list (halves likewise). One row is one or two cache lines; an array per
     * field would make it six. A free row's {@code newer} links the free list.
     */
    private long[] rows = NO_LONGS;
    /** Member keys by row, null for a free row; apart from {@link #rows} because they are references. */
    private String[] keys = NO_KEYS;
    /**
     * Open addressing with linear probing, twice as many slots as rows: a slot is
     * {@code (hash << 32) | (row + 1)}, 0 when empty, so a probe compares hashes without visiting a row.
     */
    private long[] index = NO_LONGS;
    private int size;
    private int oldest = NONE;
    private int newest = NONE;
    private int free = NONE;
    /** The oldest row's deadline, meaningful while {@code size > 0}. */
    private long oldestDeadline;

    /** A table whose index hashes member keys with a secret key ({@link #keyedHash}). */
    HeldPlaces() {
        this(HeldPlaces::keyedHash);
    }

    /** A table with the given key hash: tests use one whose collisions they choose. */
    HeldPlaces(ToIntFunction<String> hasher) {
        this.hasher = hasher;
    }

    int size() {
        return size;
    }

    boolean holds(String memberKey) {
        return slotOf(memberKey, hasher.applyAsInt(memberKey)) >= 0;
    }

    /** Holds a place for the member until {@code deadlineNanos}, replacing one it already holds. */
    void hold(String memberKey, int place, long deadlineNanos) {
        if (place < 0) {
            throw new IllegalArgumentException("a place is a non-negative int: " + place);
        }
        int hash = hasher.applyAsInt(memberKey);
        int slot = slotOf(memberKey, hash);
        if (slot >= 0) {
            int row = rowAt(slot);
            rows[row * ROW + HASH_PLACE] = pack(hash, place);
            moveToNewest(row, deadlineNanos);
            return;
        }
        if (size == keys.length) {
            resize(Math.max(MIN_CAPACITY, keys.length << 1));
            slot = slotOf(memberKey, hash); // the probe ended in the old index
        }
        int row = free;
        free = newer(row);
        keys[row] = memberKey;
        rows[row * ROW + HASH_PLACE] = pack(hash, place);
        rows[row * ROW + DEADLINE] = deadlineNanos;
        appendNewest(row);
        index[~slot] = indexEntry(hash, row); // one walk of the index finds or inserts
        size++;
    }

    /**
     * Moves a member's place to a new deadline, at the newest end; returns what the place carries, or
     * {@link #ABSENT} if the member holds none.
     */
    int renew(String memberKey, long deadlineNanos) {
        int slot = slotOf(memberKey, hasher.applyAsInt(memberKey));
        if (slot < 0) {
            return ABSENT;
        }
        int row = rowAt(slot);
        moveToNewest(row, deadlineNanos);
        return place(row);
    }

    /** Takes a member's place away without giving it back (the caller does); returns what it carried, or {@link #ABSENT}. */
    int remove(String memberKey) {
        int slot = slotOf(memberKey, hasher.applyAsInt(memberKey));
        if (slot < 0) {
            return ABSENT;
        }
        int row = rowAt(slot);
        int place = place(row);
        removeRow(slot, row);
        return place;
    }

    /** Whether some place may have expired by {@code now}: the cheap check before {@link #expire}. */
    boolean isDue(long now) {
        return size > 0 && now - oldestDeadline >= 0;
    }

    /** Removes every place whose deadline is at or before {@code now}, oldest first, handing each to {@code expired}. */
    void expire(long now, Release expired) {
        while (isDue(now)) {
            int row = oldest;
            String key = keys[row];
            int place = place(row);
            removeRow(slotOfRow(row), row);
            expired.released(key, place);
        }
    }

    /** Removes every place and hands each to {@code dropped}, oldest first; the table's memory is given back. */
    void clear(Release dropped) {
        for (int row = oldest; row != NONE; row = newer(row)) {
            dropped.released(keys[row], place(row));
        }
        rows = NO_LONGS;
        keys = NO_KEYS;
        index = NO_LONGS;
        size = 0;
        oldest = NONE;
        newest = NONE;
        free = NONE;
    }

    // ---------------------------------------------------------------- rows and the age list

    private void moveToNewest(int row, long deadlineNanos) {
        rows[row * ROW + DEADLINE] = deadlineNanos;
        if (row != newest) {
            unlinkAge(row);
            appendNewest(row);
        } else if (row == oldest) {
            oldestDeadline = deadlineNanos; // the only row
        }
    }

    private void removeRow(int slot, int row) {
        deleteIndexSlot(slot);
        unlinkAge(row);
        keys[row] = null; // the key is the only reference a row holds: let it go
        link(row, NONE, free);
        free = row;
        size--;
        // A room that held a flood gives the memory back as the flood ends; the gap between growing (full)
        // and shrinking (an eighth full) keeps a table near one size from resizing back and forth.
        if (keys.length > MIN_CAPACITY && size < keys.length >>> 3) {
            resize(Math.max(MIN_CAPACITY, keys.length >>> 2));
        }
    }

    private void appendNewest(int row) {
        link(row, newest, NONE);
        if (newest == NONE) {
            oldest = row;
            oldestDeadline = rows[row * ROW + DEADLINE];
        } else {
            link(newest, older(newest), row);
        }
        newest = row;
    }

    private void unlinkAge(int row) {
        int before = older(row);
        int after = newer(row);
        if (before == NONE) {
            oldest = after;
            if (after != NONE) {
                oldestDeadline = rows[after * ROW + DEADLINE];
            }
        } else {
            link(before, older(before), after);
        }
        if (after == NONE) {
            newest = before;
        } else {
            link(after, before, newer(after));
        }
    }

    private int place(int row) {
        return (int) rows[row * ROW + HASH_PLACE];
    }

    private int hashOf(int row) {
        return (int) (rows[row * ROW + HASH_PLACE] >>> 32);
    }

    private int older(int row) {
        return (int) (rows[row * ROW + OLDER_NEWER] >> 32);
    }

    private int newer(int row) {
        return (int) rows[row * ROW + OLDER_NEWER];
    }

    private void link(int row, int olderRow, int newerRow) {
        rows[row * ROW + OLDER_NEWER] = pack(olderRow, newerRow);
    }

    private static long pack(int high, int low) {
        return ((long) high << 32) | (low & 0xFFFFFFFFL);
    }

    /** Copies the live rows, oldest first, into tables of {@code capacity} rows; the rest become the free list. */
    private void resize(int capacity) {
        long[] r = new long[capacity * ROW];
        String[] k = new String[capacity];
        long[] idx = new long[capacity << 1];
        int to = 0;
        for (int row = oldest; row != NONE; row = newer(row), to++) {
            k[to] = keys[row];
            r[to * ROW + DEADLINE] = rows[row * ROW + DEADLINE];
            r[to * ROW + HASH_PLACE] = rows[row * ROW + HASH_PLACE];
            r[to * ROW + OLDER_NEWER] = pack(to - 1, to + 1 < size ? to + 1 : NONE); // NONE before the first
            insertIndex(idx, hashOf(row), to);
        }
        for (int row = size; row < capacity; row++) { // the free list, in order
            r[row * ROW + OLDER_NEWER] = pack(NONE, row + 1 < capacity ? row + 1 : NONE);
        }
        rows = r;
        keys = k;
        index = idx;
        oldest = size > 0 ? 0 : NONE;
        newest = size > 0 ? size - 1 : NONE;
        free = size < capacity ? size : NONE;
    }

    // ---------------------------------------------------------------- the index

    /**
     * The index slot of the member's row; if it holds none, {@code ~slot} of the empty slot where the probe
     * ended (negative), which is where it would be inserted.
     */
    private int slotOf(String memberKey, int hash) {
        long[] idx = index;
        int mask = Math.max(0, idx.length - 1);
        if (size == 0) {
            return ~(hash & mask); // every slot is empty (or there are none yet, and a hold grows the table)
        }
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            long entry = idx[i];
            if (entry == 0) {
                return ~i;
            }
            if ((int) (entry >>> 32) == hash && keys[(int) entry - 1].equals(memberKey)) {
                return i;
            }
        }
    }

    /** The index slot of a row known to be live: found by its row number, without comparing keys. */
    private int slotOfRow(int row) {
        long[] idx = index;
        int mask = idx.length - 1;
        for (int i = hashOf(row) & mask; ; i = (i + 1) & mask) {
            if ((int) idx[i] - 1 == row) {
                return i;
            }
        }
    }

    private int rowAt(int slot) {
        return (int) index[slot] - 1;
    }

    private static void insertIndex(long[] idx, int hash, int row) {
        int mask = idx.length - 1;
        int i = hash & mask;
        while (idx[i] != 0) {
            i = (i + 1) & mask;
        }
        idx[i] = indexEntry(hash, row);
    }

    private static long indexEntry(int hash, int row) {
        return ((long) hash << 32) | (row + 1);
    }

    /**
     * Empties a slot and shifts back the entries after it that probed past it (Knuth's algorithm R), so a
     * lookup never stops early at a hole and the index needs no tombstones.
     */
    private void deleteIndexSlot(int slot) {
        long[] idx = index;
        int mask = idx.length - 1;
        int hole = slot;
        for (int i = (hole + 1) & mask; ; i = (i + 1) & mask) {
            long entry = idx[i];
            if (entry == 0) {
                break;
            }
            int home = (int) (entry >>> 32) & mask;
            // The entry may fill the hole unless its home lies cyclically in (hole, i].
            boolean homeAfterHole = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
            if (!homeAfterHole) {
                idx[hole] = entry;
                hole = i;
            }
        }
        idx[hole] = 0;
    }

    /** The hash the index uses: SipHash-2-4 of the key's chars under this process's secret key. */
    static int keyedHash(String memberKey) {
        return (int) sipHash24(K0, K1, memberKey);
    }

    /**
     * SipHash-2-4 (Aumasson and Bernstein) of the string's UTF-16 code units, little-endian: the value
     * Guava's {@code Hashing.sipHash24(k0, k1).hashUnencodedChars(s).asLong()} gives (a test checks it).
     * Written out because Guava's streaming hasher took about 250 ns a key here, and this runs up to three
     * times per decision; this takes a few dozen and allocates nothing.
     */
    static long sipHash24(long k0, long k1, String s) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int blocks = (s.length() >> 2) + 1; // 8 bytes (four chars) each; the last holds the rest and the length
        for (int b = 0; b <= blocks; b++) {
            long m = 0;
            int rounds = 4; // after the last block: finalization
            if (b < blocks) {
                m = block(s, b);
                v3 ^= m;
                rounds = 2;
            } else {
                v2 ^= 0xff;
            }
            for (int r = 0; r < rounds; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /** Block {@code b} of the string's bytes as a little-endian long; the last one ends with the byte length. */
    private static long block(String s, int b) {
        int from = b << 2;
        int length = s.length();
        if (from + 4 <= length) {
            return s.charAt(from) | (long) s.charAt(from + 1) << 16 | (long) s.charAt(from + 2) << 32
                    | (long) s.charAt(from + 3) << 48;
        }
        long last = (long) (length * 2) << 56; // the byte length, mod 256, in the top byte
        for (int i = from; i < length; i++) {
            last |= (long) s.charAt(i) << ((i - from) * 16);
        }
        return last;
    }

    /** The longest run of occupied index slots: what a probe may have to walk. */
    int longestProbeRun() {
        int longest = 0;
        int run = 0;
        // Twice round, so a run that wraps from the end of the index to its start is counted whole.
        for (int i = 0; i < index.length * 2; i++) {
            run = index[i % index.length] == 0 ? 0 : run + 1;
            longest = Math.max(longest, Math.min(run, size));
        }
        return longest;
    }
}

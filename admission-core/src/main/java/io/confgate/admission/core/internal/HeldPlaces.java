package io.confgate.admission.core.internal;

import java.security.SecureRandom;
import java.util.function.ToIntFunction;

/**
 * One room's places held for members who have not joined yet, at most one per member. Each place carries
 * a non-negative int: for {@link RoomState}, a main seat or the index of the node a redirect points to.
 * Guarded by the room's monitor, like the rest of {@link RoomState}.
 *
 * <p>Every place is held for the same time, so insertion order is deadline order; a renewal moves the
 * place to the newest end, which keeps that true. Expiry is then a walk from the oldest end that stops at
 * the first live place: O(1) when nothing is due, and no timer, global queue or lock shared between
 * rooms.
 *
 * <p>Built for a flood of joins that never confirm, when a minute of them (hundreds of thousands of
 * places) is held and each decision adds one place and expires another:
 * <ul>
 *   <li><b>No object per place.</b> A place is a row of a {@code long[]}, and its member key is copied
 *       into a {@code char[]}. Keys kept as {@code String}s would each live a minute: every young
 *       collection would copy them and scan the cards of the arrays that point at them (most of the
 *       collector's work in the HTTP benchmark). Here the collector sees three arrays per table.</li>
 *   <li><b>Rows and keys lie in rings, in age order.</b> A hold writes after the newest, expiry reads
 *       from the oldest on: both ends move through memory in address order, where the processor's
 *       prefetch finds them. Only the two {@link #index} slots a decision touches are random accesses.</li>
 *   <li>A renewal or removal leaves a hole that expiry steps over. When either ring is full, the live
 *       rows and keys are packed together again, into larger rings if they fill half of them.</li>
 *   <li>A lookup of an absent member reads only the index, whose slots hold the hash next to the row
 *       number; the oldest deadline is a field, so the "anything due?" check that precedes every
 *       decision reads no other memory.</li>
 * </ul>
 */
final class HeldPlaces {
    /** What {@link #renew} and {@link #remove} return for a member who holds no place. */
    static final int ABSENT = -1;
    private static final int MIN_CAPACITY = 8;
    private static final int MIN_CHARS = 64;
    private static final int ROW = 3; // longs per row
    private static final int DEADLINE = 0;
    private static final int HASH_PLACE = 1;
    /** Where the key's chars start in {@link #chars} (high half) and how many there are (low half). */
    private static final int KEY = 2;
    /** The {@link #KEY} of a row that holds no place (a hole, or not yet used). */
    private static final long HOLE = -1L;
    private static final long[] NO_LONGS = {};
    private static final char[] NO_CHARS = {};
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
        /**
         * @param memberKey the member's key, readable only during this call (it is a view of the table's
         *                  memory, which the next change reuses): {@code toString()} it to keep it
         */
        void released(CharSequence memberKey, int place);
    }

    /** Rows, three longs each: the deadline; the hash (high half) and the place (low half); the {@link #KEY}. */
    private long[] rows = NO_LONGS;
    /** The members' keys, back to back in row order; a ring like the rows. */
    private char[] chars = NO_CHARS;
    /**
     * Open addressing with linear probing, twice as many slots as rows: a slot is
     * {@code (hash << 32) | (row + 1)}, 0 when empty, so a probe compares hashes without visiting a row.
     */
    private long[] index = NO_LONGS;
    /** Live places. */
    private int size;
    /** The oldest row in use; live whenever {@code size > 0} (holes at the oldest end are stepped over at once). */
    private int oldest;
    /** Rows in use from {@link #oldest} on, ring-wise: the live ones and the holes between them. */
    private int used;
    /** Where the next key's chars go; the oldest row's key starts where the chars in use begin. */
    private int charsEnd;
    /** The oldest row's deadline, meaningful while {@code size > 0}. */
    private long oldestDeadline;
    private final KeyView releasedKey = new KeyView();

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

    /** What the member's place carries, or {@link #ABSENT} if it holds none; nothing changes. */
    int placeOf(String memberKey) {
        int slot = slotOf(memberKey, hasher.applyAsInt(memberKey));
        return slot < 0 ? ABSENT : place(rowAt(slot));
    }

    /**
     * Holds a place for the member until {@code deadlineNanos}, replacing one it already holds; returns
     * what the replaced place carried, or {@link #ABSENT} if there was none.
     */
    int hold(String memberKey, int place, long deadlineNanos) {
        if (place < 0) {
            throw new IllegalArgumentException("a place is a non-negative int: " + place);
        }
        int hash = hasher.applyAsInt(memberKey);
        int slot = slotOf(memberKey, hash);
        if (slot >= 0) {
            int previous = place(rowAt(slot));
            moveToNewest(memberKey, hash, slot, place, deadlineNanos);
            return previous;
        }
        if (makeRoom(memberKey.length())) {
            slot = slotOf(memberKey, hash); // the probe ended in the old index
        }
        index[~slot] = indexEntry(hash, append(memberKey, hash, place, deadlineNanos)); // one walk finds or inserts
        return ABSENT;
    }

    /**
     * Moves a member's place to a new deadline, at the newest end; returns what the place carries, or
     * {@link #ABSENT} if the member holds none.
     */
    int renew(String memberKey, long deadlineNanos) {
        int hash = hasher.applyAsInt(memberKey);
        int slot = slotOf(memberKey, hash);
        if (slot < 0) {
            return ABSENT;
        }
        int place = place(rowAt(slot));
        moveToNewest(memberKey, hash, slot, place, deadlineNanos);
        return place;
    }

    /** Takes a member's place away without giving it back (the caller does); returns what it carried, or {@link #ABSENT}. */
    int remove(String memberKey) {
        int slot = slotOf(memberKey, hasher.applyAsInt(memberKey));
        if (slot < 0) {
            return ABSENT;
        }
        int row = rowAt(slot);
        int place = place(row);
        deleteIndexSlot(slot);
        removeRow(row);
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
            int place = place(row);
            releasedKey.of(row); // before the row goes: its chars stay until the next append or resize
            deleteIndexSlot(slotOfRow(row));
            removeRow(row);
            expired.released(releasedKey, place);
        }
    }

    /** Removes every place and hands each to {@code dropped}, oldest first; the table's memory is given back. */
    void clear(Release dropped) {
        int mask = capacity() - 1;
        for (int i = 0; i < used; i++) {
            int row = (oldest + i) & mask;
            if (rows[row * ROW + KEY] != HOLE) {
                dropped.released(releasedKey.of(row), place(row));
            }
        }
        rows = NO_LONGS;
        chars = NO_CHARS;
        index = NO_LONGS;
        size = 0;
        oldest = 0;
        used = 0;
        charsEnd = 0;
    }

    // ---------------------------------------------------------------- the rings

    private int capacity() {
        return rows.length / ROW;
    }

    /**
     * Writes a live row after the newest one, its key after the newest key (the caller has made room for
     * both), and returns the row.
     */
    private int append(String memberKey, int hash, int place, long deadlineNanos) {
        int length = memberKey.length();
        int at = keyPosition(length);
        memberKey.getChars(0, length, chars, at);
        charsEnd = at + length;
        int row = (oldest + used) & (capacity() - 1);
        rows[row * ROW + DEADLINE] = deadlineNanos;
        rows[row * ROW + HASH_PLACE] = pack(hash, place);
        rows[row * ROW + KEY] = pack(at, length);
        used++;
        if (size++ == 0) {
            oldest = row; // nothing live before it: holes left behind count for nothing
            used = 1;
            oldestDeadline = deadlineNanos;
        }
        return row;
    }

    /**
     * Where a key of {@code length} chars can go after the newest key: at {@link #charsEnd}, or at the
     * start if the end of the array is too short; -1 if that would reach the oldest key. The chars in use
     * run from the oldest row's key to {@code charsEnd}, wrapping at most once.
     */
    private int keyPosition(int length) {
        if (size == 0) {
            return length <= chars.length ? 0 : -1; // append() then makes this row the oldest
        }
        int start = keyStart(oldest);
        if (charsEnd >= start) { // not wrapped: room after the end, or else before the start
            if (length <= chars.length - charsEnd) {
                return charsEnd;
            }
            return length < start ? 0 : -1;
        }
        return charsEnd + length < start ? charsEnd : -1; // wrapped: strictly short of the start
    }

    /** Gives the row at index {@code slot} a new place and deadline, at the newest end. */
    private void moveToNewest(String memberKey, int hash, int slot, int place, long deadlineNanos) {
        int row = rowAt(slot);
        int newest = (oldest + used - 1) & (capacity() - 1);
        if (row == newest) { // already there: rewritten in place
            rows[row * ROW + DEADLINE] = deadlineNanos;
            rows[row * ROW + HASH_PLACE] = pack(hash, place);
            if (size == 1) {
                oldestDeadline = deadlineNanos;
            }
            return;
        }
        if (makeRoom(memberKey.length())) {
            slot = slotOf(memberKey, hash); // rows and index were rebuilt
            row = rowAt(slot);
        }
        // The new row first: were the old one the oldest and the only one, its chars would be free for it.
        int moved = append(memberKey, hash, place, deadlineNanos);
        index[slot] = indexEntry(hash, moved);
        vacate(row);
    }

    /** Makes room after the newest row and key; true if that rebuilt the rings and the index. */
    private boolean makeRoom(int keyLength) {
        int capacity = capacity();
        if (used < capacity && keyPosition(keyLength) >= 0) {
            return false;
        }
        // Full of live rows and holes: pack the live ones, in rings twice as large if they fill half.
        resize(size >= capacity >>> 1 ? Math.max(MIN_CAPACITY, capacity << 1) : capacity, keyLength);
        return true;
    }

    private void removeRow(int row) {
        vacate(row);
        // A room that held a flood gives the memory back as the flood ends; the gap between growing (full)
        // and shrinking (an eighth full) keeps a table near one size from resizing back and forth.
        int capacity = capacity();
        if (capacity > MIN_CAPACITY && size < capacity >>> 3) {
            resize(Math.max(MIN_CAPACITY, capacity >>> 2), 0);
        }
    }

    /** Makes a live row a hole; holes at the oldest end are stepped over at once. */
    private void vacate(int row) {
        rows[row * ROW + KEY] = HOLE;
        size--;
        if (size == 0) {
            oldest = 0;
            used = 0;
            charsEnd = 0;
            return;
        }
        if (row == oldest) {
            int mask = capacity() - 1;
            while (rows[oldest * ROW + KEY] == HOLE) {
                oldest = (oldest + 1) & mask;
                used--;
            }
            oldestDeadline = rows[oldest * ROW + DEADLINE];
        }
    }

    private int place(int row) {
        return (int) rows[row * ROW + HASH_PLACE];
    }

    private int hashOf(int row) {
        return (int) (rows[row * ROW + HASH_PLACE] >>> 32);
    }

    private int keyStart(int row) {
        return (int) (rows[row * ROW + KEY] >>> 32);
    }

    private int keyLength(int row) {
        return (int) rows[row * ROW + KEY];
    }

    private boolean keyEquals(int row, String memberKey) {
        int length = keyLength(row);
        if (length != memberKey.length()) {
            return false;
        }
        int start = keyStart(row);
        for (int i = 0; i < length; i++) {
            if (chars[start + i] != memberKey.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static long pack(int high, int low) {
        return ((long) high << 32) | (low & 0xFFFFFFFFL);
    }

    /**
     * Copies the live rows, oldest first, to the start of rings of {@code capacity} rows (a power of two),
     * with key space for them and for a key of {@code keyLength} chars about to be added, twice over.
     */
    private void resize(int capacity, int keyLength) {
        int mask = capacity() - 1;
        int liveChars = 0;
        for (int i = 0; i < used; i++) {
            int row = (oldest + i) & mask;
            if (rows[row * ROW + KEY] != HOLE) {
                liveChars += keyLength(row);
            }
        }
        long[] r = new long[capacity * ROW];
        char[] c = new char[Math.max(MIN_CHARS, Integer.highestOneBit(Math.max(1, 2 * (liveChars + keyLength) - 1)) << 1)];
        long[] idx = new long[capacity << 1];
        int to = 0;
        int at = 0;
        for (int i = 0; i < used; i++) {
            int row = (oldest + i) & mask;
            if (rows[row * ROW + KEY] == HOLE) {
                continue;
            }
            int length = keyLength(row);
            System.arraycopy(chars, keyStart(row), c, at, length);
            r[to * ROW + DEADLINE] = rows[row * ROW + DEADLINE];
            r[to * ROW + HASH_PLACE] = rows[row * ROW + HASH_PLACE];
            r[to * ROW + KEY] = pack(at, length);
            insertIndex(idx, hashOf(row), to);
            at += length;
            to++;
        }
        for (int row = to; row < capacity; row++) {
            r[row * ROW + KEY] = HOLE;
        }
        rows = r;
        chars = c;
        index = idx;
        oldest = 0;
        used = size;
        charsEnd = at;
    }

    /** A member key as it lies in {@link #chars}: what {@link Release} receives, made once per table. */
    private final class KeyView implements CharSequence {
        private char[] array;
        private int start;
        private int length;

        KeyView of(int row) {
            array = chars;
            start = keyStart(row);
            length = keyLength(row);
            return this;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int i) {
            return array[start + i];
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return toString().subSequence(from, to);
        }

        @Override
        public String toString() {
            return new String(array, start, length);
        }
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
            if ((int) (entry >>> 32) == hash && keyEquals((int) entry - 1, memberKey)) {
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

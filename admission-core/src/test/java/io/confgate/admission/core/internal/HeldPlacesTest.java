package io.confgate.admission.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeldPlacesTest {
    /**
     * The plain String hash: keys with equal String hashes share a probe start, and near keys fill adjacent
     * slots, so long probe runs and removals inside them are exercised on purpose.
     */
    private static final ToIntFunction<String> STRING_HASH = String::hashCode;
    private HeldPlaces places = new HeldPlaces();
    private final List<String> released = new ArrayList<>();

    private void expire(long now) {
        places.expire(now, (key, place) -> released.add(key + "=" + place));
    }

    @Test
    void expiresOldestFirstAndStopsAtTheFirstLivePlace() {
        places.hold("a", 1, 10);
        places.hold("b", 2, 20);
        places.hold("c", 3, 30);
        assertFalse(places.isDue(9));
        expire(20);
        assertEquals(List.of("a=1", "b=2"), released, "a deadline equal to now is due");
        assertTrue(holds(places, "c"));
        assertEquals(1, places.size());
    }

    @Test
    void aRenewalMovesThePlaceBehindTheOthers() {
        places.hold("a", 4, 10);
        places.hold("b", 5, 20);
        assertEquals(4, places.renew("a", 40), "returns what the place carries");
        expire(25);
        assertEquals(List.of("b=5"), released);
        assertTrue(holds(places, "a"));
        assertEquals(HeldPlaces.ABSENT, places.renew("b", 50), "an expired place cannot be renewed");
        assertFalse(places.isDue(39));
        assertTrue(places.isDue(40), "the renewed deadline counts");
    }

    @Test
    void removingTheOldestMakesTheNextOneDecideWhenSomethingIsDue() {
        places.hold("a", 0, 10);
        places.hold("b", 0, 20);
        assertEquals(0, places.remove("a"));
        assertEquals(HeldPlaces.ABSENT, places.remove("a"));
        assertFalse(places.isDue(15));
        assertTrue(places.isDue(20));
        places.renew("b", 30);
        assertFalse(places.isDue(25), "a renewal of the only place moves the deadline");
    }

    @Test
    void anEmptyTableIsNeverDueAndTheFirstHoldSetsTheBound() {
        assertFalse(places.isDue(Long.MAX_VALUE));
        assertFalse(holds(places, "a"));
        assertEquals(HeldPlaces.ABSENT, places.renew("a", 1));
        assertEquals(HeldPlaces.ABSENT, places.remove("a"));
        places.hold("a", 0, 100);
        expire(100);
        assertEquals(0, places.size());
        places.hold("b", 0, 200);
        assertFalse(places.isDue(150), "a stale bound from the emptied table must not linger");
        assertTrue(places.isDue(200));
    }

    @Test
    void holdingAgainReplacesThePlaceAndMovesIt() {
        places.hold("a", 0, 10);
        places.hold("b", 0, 20);
        places.hold("a", 7, 30);
        assertEquals(2, places.size());
        expire(25);
        assertEquals(List.of("b=0"), released);
        assertEquals(7, places.remove("a"), "the new place replaced the old");
    }

    @Test
    void aPlaceIsNeverNegative() {
        assertThrows(IllegalArgumentException.class, () -> places.hold("a", -1, 10));
        assertEquals(0, places.size(), "nothing half-applied");
    }

    /** 2^blocks keys of "Aa" and "BB" blocks: they all have the same String hash. */
    private static List<String> equalStringHashes(int blocks) {
        List<String> keys = new ArrayList<>();
        for (int bits = 0; bits < 1 << blocks; bits++) {
            StringBuilder key = new StringBuilder();
            for (int b = 0; b < blocks; b++) {
                key.append((bits >> b & 1) == 0 ? "Aa" : "BB");
            }
            keys.add(key.toString());
        }
        return keys;
    }

    @Test
    void keysWithEqualStringHashesAreToldApart() {
        places = new HeldPlaces(STRING_HASH); // one probe run in the index
        List<String> colliding = equalStringHashes(3);
        for (int i = 0; i < colliding.size(); i++) {
            places.hold(colliding.get(i), i, 10 + i);
        }
        assertEquals(3, places.remove(colliding.get(3)), "removed from the middle of the run");
        for (int i = 0; i < colliding.size(); i++) {
            assertEquals(i != 3, holds(places, colliding.get(i)), colliding.get(i));
        }
        assertEquals(6, places.renew(colliding.get(6), 100), "found past the hole the removal left");
    }

    @Test
    void theKeyedHashIsSipHash24() {
        // The reference vector for the empty message, key 00 01 .. 0f (Aumasson and Bernstein).
        long k0 = 0x0706050403020100L;
        long k1 = 0x0f0e0d0c0b0a0908L;
        assertEquals(0x726fdb47dd0e0e31L, HeldPlaces.sipHash24(k0, k1, ""));
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            long a = random.nextLong();
            long b = random.nextLong();
            char[] chars = new char[random.nextInt(40)];
            for (int c = 0; c < chars.length; c++) {
                chars[c] = (char) (random.nextBoolean() ? 'a' + random.nextInt(26) : random.nextInt(0x10000));
            }
            String key = new String(chars);
            assertEquals(Hashing.sipHash24(a, b).hashUnencodedChars(key).asLong(), HeldPlaces.sipHash24(a, b, key),
                    "length " + key.length());
        }
    }

    @Test
    void keysAClientChoseToCollideDoNotShareAProbeRun() {
        List<String> colliding = equalStringHashes(12);
        HeldPlaces weak = new HeldPlaces(STRING_HASH);
        for (String key : colliding) {
            places.hold(key, 1, 10);
            weak.hold(key, 1, 10);
        }
        // Hashed by String alone, every probe would walk all 4,096 of them; keyed, runs stay as short as
        // random keys give at half load (a few dozen at most, in expectation about 20).
        assertEquals(colliding.size(), weak.longestProbeRun());
        assertTrue(places.longestProbeRun() < 100, "longest probe run " + places.longestProbeRun());
        for (String key : colliding) {
            assertTrue(holds(places, key), key);
        }
    }

    /**
     * Random operations on keys that collide and tables that grow and shrink, checked after each against
     * a LinkedHashMap doing the same: what is held and what it carries, how many, and the order of expiry.
     * Once with the keyed hash, once with the String hash, whose long runs exercise removal inside a run.
     */
    @ParameterizedTest(name = "keyed hash: {0}")
    @ValueSource(booleans = {true, false})
    void behavesAsALinkedHashMapInDeadlineOrder(boolean keyed) {
        places = keyed ? new HeldPlaces() : new HeldPlaces(STRING_HASH);
        Random random = new Random(42);
        LinkedHashMap<String, long[]> model = new LinkedHashMap<>(); // key -> {place, deadline}
        long now = 0;
        int maxSize = 0;
        for (int step = 0; step < 20_000; step++) {
            now += random.nextInt(3);
            String key = randomKey(random, step);
            // Long holds at first, so hundreds of places are held, then short ones, so they drain.
            long deadline = now + (step < 10_000 ? 2_000 : 100);
            int op = random.nextInt(10);
            if (op < 5) {
                int place = random.nextInt(8);
                long[] replaced = model.remove(key);
                assertEquals(replaced == null ? HeldPlaces.ABSENT : (int) replaced[0], places.hold(key, place, deadline),
                        "what the hold replaced, step " + step);
                model.put(key, new long[] {place, deadline});
            } else if (op < 7) {
                long[] held = model.remove(key);
                assertEquals(held == null ? HeldPlaces.ABSENT : (int) held[0], places.renew(key, deadline), key);
                if (held != null) {
                    model.put(key, new long[] {held[0], deadline});
                }
            } else if (op < 8) {
                long[] held = model.remove(key);
                assertEquals(held == null ? HeldPlaces.ABSENT : (int) held[0], places.remove(key), key);
            } else {
                released.clear();
                expire(now);
                assertEquals(expireInModel(model, now), released, "step " + step);
            }
            assertEquals(model.size(), places.size(), "step " + step);
            maxSize = Math.max(maxSize, model.size());
            long[] inModel = model.get(key);
            assertEquals(inModel == null ? HeldPlaces.ABSENT : (int) inModel[0], places.placeOf(key), "step " + step);
            assertEquals(!model.isEmpty() && now >= model.values().iterator().next()[1], places.isDue(now),
                    "step " + step);
        }

        assertTrue(maxSize > 512, "the table grew past 512 rows: " + maxSize);
        assertTrue(model.size() < 100, "and drained: " + model.size());
        released.clear();
        places.clear((key, place) -> released.add(key + "=" + place));
        List<String> rest = new ArrayList<>();
        model.forEach((key, held) -> rest.add(key + "=" + held[0]));
        assertEquals(rest, released, "clear hands back oldest first");
        assertEquals(0, places.size());
        places.hold("again", 1, now);
        assertTrue(holds(places, "again"), "a cleared table takes places again");
    }

    /** What the model (key -> {place, deadline}, oldest first) gives up at {@code now}, as "key=place", removed from it. */
    private static List<String> expireInModel(LinkedHashMap<String, long[]> model, long now) {
        List<String> expired = new ArrayList<>();
        for (var it = model.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, long[]> e = it.next();
            if (e.getValue()[1] > now) {
                break;
            }
            expired.add(e.getKey() + "=" + e.getValue()[0]);
            it.remove();
        }
        return expired;
    }

    /**
     * Many keys first, then few, so the table grows and then shrinks; a fifth of them share a String hash,
     * and the others are of lengths from 0 to about 1,000 chars.
     */
    private static String randomKey(Random random, int step) {
        if (random.nextInt(5) == 0) {
            StringBuilder key = new StringBuilder();
            int bits = random.nextInt(64);
            for (int b = 0; b < 6; b++) {
                key.append((bits >> b & 1) == 0 ? "Aa" : "BB");
            }
            return key.toString();
        }
        int n = random.nextInt(step < 10_000 ? 3_000 : 40);
        return switch (n % 7) {
            // Keys of every length, so the key ring wraps at odd places and fills before the rows do.
            case 0 -> "long-" + n + "-" + "x".repeat(n % 5 == 0 ? 300 + n % 700 : n % 97);
            case 1 -> n % 3 == 0 ? "" : "\u00e9\ud83d\ude00" + n; // the empty key; non-Latin chars
            default -> "m" + n;
        };
    }

    /**
     * A steady flood (one place in, the oldest out) whose keys change length by two orders of magnitude, so
     * the key ring fills before the rows do, wrapped or not; checked against a model after every step.
     */
    @Test
    void keysOfVeryDifferentLengthsShareTheKeyRing() {
        Random random = new Random(7);
        LinkedHashMap<String, long[]> model = new LinkedHashMap<>(); // key -> {place, deadline}
        for (long now = 1; now <= 5_000; now++) {
            int length = random.nextInt(8) == 0 ? 100 + random.nextInt(900) : random.nextInt(60);
            String key = now + ":" + "k".repeat(length);
            places.hold(key, (int) now & 7, now + 6); // about 6 held
            model.put(key, new long[] {now & 7, now + 6});
            if (random.nextInt(4) == 0) { // a renewal or a removal leaves a hole
                String some = model.keySet().iterator().next();
                long[] held = model.remove(some);
                if (random.nextBoolean()) {
                    assertEquals((int) held[0], places.remove(some));
                } else {
                    assertEquals((int) held[0], places.renew(some, now + 6));
                    model.put(some, new long[] {held[0], now + 6});
                }
            }
            released.clear();
            expire(now);
            assertEquals(expireInModel(model, now), released, "at " + now);
            assertEquals(model.size(), places.size(), "at " + now);
            for (String held : model.keySet()) {
                assertTrue(holds(places, held), held);
            }
        }
    }

    /**
     * Keys that wrap round the key ring and one more that may or may not fit before the oldest key: for
     * every pair of lengths, no key's chars are ever overwritten by another's.
     */
    @Test
    void aNewKeyNeverOverwritesTheCharsOfAnOlderOne() {
        for (int n = 1; n <= 40; n++) {
            for (int m = 0; m <= 100; m++) {
                HeldPlaces table = new HeldPlaces();
                List<String> live = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    live.add(key(i, n));
                    table.hold(key(i, n), i, i);
                }
                table.expire(2, (key, place) -> live.remove(key.toString()));
                for (int i = 6; i < 8; i++) { // these go round to the start of the ring
                    live.add(key(i, n));
                    table.hold(key(i, n), i, i);
                }
                live.add(key(8, m));
                table.hold(key(8, m), 8, 8);
                for (String key : live) {
                    assertTrue(holds(table, key), n + "/" + m + ": " + key);
                }
                List<String> expired = new ArrayList<>();
                table.expire(8, (key, place) -> expired.add(key.toString()));
                assertEquals(live, expired, n + "/" + m);
            }
        }
    }

    /** A key of {@code length} chars, at least one, that starts with {@code i}. */
    private static String key(int i, int length) {
        String prefix = Integer.toString(i);
        return prefix + "abcdefghijklmnopqrstuvwxyz".repeat(5).substring(0, Math.max(0, length - prefix.length()));
    }

    /**
     * A held place keeps a copy of its key, not the key: under a flood the keys would otherwise live as
     * long as their places, and the collector would copy each of them from one young collection to the next.
     */
    @Test
    void aHeldPlaceDoesNotKeepItsKeyObject() throws InterruptedException {
        String key = new String("session-" + System.nanoTime());
        WeakReference<String> ref = new WeakReference<>(key);
        places.hold(key, 3, 100);
        String copy = new String(key);
        key = null;
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(null, ref.get(), "the key object was collected while its place is held");
        assertTrue(holds(places, copy));
        assertEquals(3, places.renew(copy, 200));
        expire(200);
        assertEquals(List.of(copy + "=3"), released, "and expiry still names the member");
    }

    @Test
    void clearHandsBackEveryPlace() {
        places.hold("a", 1, 10);
        places.hold("b", 2, 20);
        places.clear((key, place) -> released.add(key + "=" + place));
        assertEquals(List.of("a=1", "b=2"), released);
        assertEquals(0, places.size());
        assertFalse(places.isDue(Long.MAX_VALUE));
    }

    private static boolean holds(HeldPlaces table, String key) {
        return table.placeOf(key) != HeldPlaces.ABSENT;
    }
}

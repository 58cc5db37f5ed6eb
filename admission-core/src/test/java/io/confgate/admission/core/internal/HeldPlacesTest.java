package io.confgate.admission.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
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
        assertTrue(places.holds("c"));
        assertEquals(1, places.size());
    }

    @Test
    void aRenewalMovesThePlaceBehindTheOthers() {
        places.hold("a", 4, 10);
        places.hold("b", 5, 20);
        assertEquals(4, places.renew("a", 40), "returns what the place carries");
        expire(25);
        assertEquals(List.of("b=5"), released);
        assertTrue(places.holds("a"));
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
        assertFalse(places.holds("a"));
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
            assertEquals(i != 3, places.holds(colliding.get(i)), colliding.get(i));
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
            assertTrue(places.holds(key), key);
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
                places.hold(key, place, deadline);
                model.remove(key);
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
                List<String> expected = new ArrayList<>();
                for (var it = model.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<String, long[]> e = it.next();
                    if (e.getValue()[1] > now) {
                        break;
                    }
                    expected.add(e.getKey() + "=" + e.getValue()[0]);
                    it.remove();
                }
                assertEquals(expected, released, "step " + step);
            }
            assertEquals(model.size(), places.size(), "step " + step);
            maxSize = Math.max(maxSize, model.size());
            assertEquals(model.containsKey(key), places.holds(key), "step " + step);
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
        assertTrue(places.holds("again"), "a cleared table takes places again");
    }

    /** Many keys first, then few, so the table grows and then shrinks; a fifth of them share a String hash. */
    private static String randomKey(Random random, int step) {
        if (random.nextInt(5) == 0) {
            StringBuilder key = new StringBuilder();
            int bits = random.nextInt(64);
            for (int b = 0; b < 6; b++) {
                key.append((bits >> b & 1) == 0 ? "Aa" : "BB");
            }
            return key.toString();
        }
        return "m" + random.nextInt(step < 10_000 ? 3_000 : 40);
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
}

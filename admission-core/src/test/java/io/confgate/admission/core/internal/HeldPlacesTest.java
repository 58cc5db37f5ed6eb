package io.confgate.admission.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.VisitorNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeldPlacesTest {
    private final HeldPlaces places = new HeldPlaces();
    private final List<Long> expired = new ArrayList<>();

    private void expire(long now) {
        places.expire(now, hold -> expired.add(hold.deadlineNanos()));
    }

    @Test
    void expiresOldestFirstAndStopsAtTheFirstLivePlace() {
        places.hold("a", null, 10);
        places.hold("b", null, 20);
        places.hold("c", null, 30);
        assertFalse(places.isDue(9));
        expire(20);
        assertEquals(List.of(10L, 20L), expired, "a deadline equal to now is due");
        assertTrue(places.holds("c"));
        assertEquals(1, places.size());
    }

    @Test
    void aRenewalMovesThePlaceBehindTheOthers() {
        places.hold("a", null, 10);
        places.hold("b", null, 20);
        assertEquals(40, places.renew("a", 40).deadlineNanos(), "returns the renewed place");
        expire(25);
        assertEquals(List.of(20L), expired);
        assertTrue(places.holds("a"));
        assertNull(places.renew("b", 50), "an expired place cannot be renewed");
    }

    @Test
    void removingTheOldestMakesTheNextOneDecideWhenSomethingIsDue() {
        places.hold("a", null, 10);
        places.hold("b", null, 20);
        places.remove("a");
        assertFalse(places.isDue(15));
        assertTrue(places.isDue(20));
        places.renew("b", 30);
        assertFalse(places.isDue(25), "a renewal moves the deadline");
    }

    @Test
    void anEmptyQueueIsNeverDueAndTheFirstHoldSetsTheBound() {
        assertFalse(places.isDue(Long.MAX_VALUE));
        places.hold("a", null, 100);
        expire(100);
        assertEquals(0, places.size());
        places.hold("b", null, 200);
        assertFalse(places.isDue(150), "a stale bound from the emptied queue must not linger");
        assertTrue(places.isDue(200));
    }

    @Test
    void holdingAgainReplacesThePlaceAndMovesIt() {
        places.hold("a", null, 10);
        places.hold("b", null, 20);
        NodeSlot v1 = new NodeSlot(VisitorNode.conventional("v1", "meet.jitsi", 10), 0);
        places.hold("a", v1, 30);
        assertEquals(2, places.size());
        expire(25);
        assertEquals(List.of(20L), expired);
        assertSame(v1, places.remove("a").slot(), "the new place replaced the old");
    }

    /**
     * Ten thousand random operations on keys that collide and tables that grow and shrink, checked after
     * each against a LinkedHashMap doing the same: what is held, how many, and the order of expiry.
     */
    @Test
    void behavesAsALinkedHashMapInDeadlineOrder() {
        Random random = new Random(42);
        LinkedHashMap<String, Long> model = new LinkedHashMap<>();
        long now = 0;
        for (int step = 0; step < 10_000; step++) {
            now += random.nextInt(3);
            // Few keys at first, many later, so the table both grows and, after expiry, shrinks.
            String key = "m" + random.nextInt(step < 5_000 ? 3_000 : 40);
            int op = random.nextInt(10);
            if (op < 5) {
                places.hold(key, null, now + 100);
                model.remove(key);
                model.put(key, now + 100);
            } else if (op < 7) {
                boolean present = model.remove(key) != null;
                assertEquals(present, places.renew(key, now + 100) != null, key);
                if (present) {
                    model.put(key, now + 100);
                }
            } else if (op < 8) {
                assertEquals(model.remove(key) != null, places.remove(key) != null, key);
            } else {
                expired.clear();
                places.expire(now, hold -> expired.add(hold.deadlineNanos()));
                List<Long> expected = new ArrayList<>();
                for (var it = model.values().iterator(); it.hasNext(); ) {
                    long deadline = it.next();
                    if (deadline > now) {
                        break;
                    }
                    expected.add(deadline);
                    it.remove();
                }
                assertEquals(expected, expired, "step " + step);
            }
            assertEquals(model.size(), places.size(), "step " + step);
            assertEquals(model.containsKey(key), places.holds(key), "step " + step);
        }
        List<Long> rest = new ArrayList<>();
        places.clear(hold -> rest.add(hold.deadlineNanos()));
        assertEquals(List.copyOf(model.values()), rest, "clear hands back oldest first");
    }

    @Test
    void clearHandsBackEveryPlace() {
        places.hold("a", null, 10);
        places.hold("b", null, 20);
        places.clear(hold -> expired.add(hold.deadlineNanos()));
        assertEquals(List.of(10L, 20L), expired);
        assertEquals(0, places.size());
    }
}

package io.confgate.admission.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
        assertEquals(10, places.renew("a", 40).deadlineNanos(), "returns the place as it was");
        expire(25);
        assertEquals(List.of(20L), expired);
        assertTrue(places.holds("a"));
        assertNull(places.renew("b", 50), "an expired place cannot be renewed");
    }

    @Test
    void removingTheOldestLeavesALowerBoundThatIsCorrectedOnTheNextWalk() {
        places.hold("a", null, 10);
        places.hold("b", null, 20);
        places.remove("a");
        assertTrue(places.isDue(15), "the bound may be early, never late");
        expire(15);
        assertTrue(expired.isEmpty());
        assertFalse(places.isDue(15), "the walk found b's deadline");
        assertTrue(places.isDue(20));
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
    void clearHandsBackEveryPlace() {
        places.hold("a", null, 10);
        places.hold("b", null, 20);
        places.clear(hold -> expired.add(hold.deadlineNanos()));
        assertEquals(List.of(10L, 20L), expired);
        assertEquals(0, places.size());
    }
}

package io.confgate.admission.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jxmpp.jid.EntityBareJid;
import org.junit.jupiter.api.Test;

class RoomJidsTest {
    @Test
    void aRoomIsParsedOnceAndThenTheSameInstanceIsGiven() {
        RoomJids rooms = new RoomJids(10);
        EntityBareJid first = rooms.parse("demo@conference.meet.jitsi");
        assertEquals("demo@conference.meet.jitsi", first.toString());
        assertSame(first, rooms.parse(new String("demo@conference.meet.jitsi")));
    }

    @Test
    void invalidTextIsRefusedEveryTimeAndNeverKept() {
        RoomJids rooms = new RoomJids(10);
        for (int i = 0; i < 2; i++) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rooms.parse("demo@@conference.meet.jitsi"));
            assertTrue(e.getMessage().contains("not a valid room JID"), e.getMessage());
        }
        assertEquals(0, rooms.size());
    }

    @Test
    void neverHoldsMoreThanItsBoundAndStillAnswersRight() {
        RoomJids rooms = new RoomJids(3);
        for (int i = 0; i < 10; i++) {
            assertEquals("room" + i + "@conference.meet.jitsi",
                    rooms.parse("room" + i + "@conference.meet.jitsi").toString());
            assertTrue(rooms.size() <= 3, "size " + rooms.size());
        }
        assertEquals("room0@conference.meet.jitsi", rooms.parse("room0@conference.meet.jitsi").toString());
    }

    @Test
    void theBoundIsPositive() {
        assertThrows(IllegalArgumentException.class, () -> new RoomJids(0));
    }
}

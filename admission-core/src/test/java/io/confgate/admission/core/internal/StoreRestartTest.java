package io.confgate.admission.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.JoinRequest;
import io.confgate.admission.Reason;
import io.confgate.admission.event.NodeLinkEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;

/** Restarts on the same store: after a clean stop, after a simulated crash, after time has passed. */
class StoreRestartTest {
    private static final EntityBareJid ROOM = JoinRequest.parseRoom("townhall@conference.meet.jitsi");

    @TempDir
    Path dir;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong wallMillis = new AtomicLong(1_800_000_000_000L);
    private final List<NodeLinkEvent> links = new CopyOnWriteArrayList<>();

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        wallMillis.addAndGet(d.toMillis());
    }

    private DefaultAdmissionEngine start() {
        nanos.addAndGet(123_456_789_000L); // a new process: its ticker starts anywhere
        return StoreScenario.engine(dir, nanos::get, wallMillis::get, links::add);
    }

    private static JoinRequest join(String session) {
        return StoreScenario.join(session);
    }

    @Test
    void afterACleanStopEverythingAUserWouldMissIsBack() throws Exception {
        DefaultAdmissionEngine before = start();
        java.util.Properties ids = StoreScenario.fill(before);
        before.close();

        links.clear();
        DefaultAdmissionEngine after = start();
        // The link comes back prepared (the linker makes it again on the wire); the 20 restored seats are within
        // their grace, so it is connected once they are in or over it.
        assertEquals(List.of(NodeLinkEvent.Prepare.class), links.stream().map(Object::getClass).toList(),
                "the link is sent again, so XMPP rejoins");
        StoreScenario.check(after, ids);
        after.close();
    }

    @Test
    void afterACrashOnlyTheLastIntervalIsLost() throws Exception {
        DefaultAdmissionEngine before = start();
        for (int i = 0; i < 20; i++) {
            before.decide(join("early" + i));
        }
        before.flush(); // an interval's write
        for (int i = 0; i < 5; i++) {
            before.decide(join("late" + i));
        }
        before.crash(); // kill -9: the last five never reach the file

        DefaultAdmissionEngine after = start();
        assertEquals(20, after.occupancy(ROOM).orElseThrow().reservedSeats());
        after.close();
    }

    @Test
    void whatExpiredWhileTheServerWasDownIsDroppedAtStart() throws Exception {
        DefaultAdmissionEngine before = start();
        before.decide(join("a"));
        advance(Duration.ofSeconds(30));
        before.decide(join("b"));
        before.close();

        advance(Duration.ofSeconds(45)); // down 45 s: a's seat (60 s) is gone, b's has 15 s left
        DefaultAdmissionEngine after = start();
        assertEquals(1, after.occupancy(ROOM).orElseThrow().reservedSeats());
        assertEquals(Reason.SEAT_HELD, after.decide(join("b")).reason());
        advance(Duration.ofSeconds(61));
        after.cleanUp();
        assertTrue(after.occupancy(ROOM).isEmpty() || after.occupancy(ROOM).get().reservedSeats() == 0);
        after.close();
    }
}

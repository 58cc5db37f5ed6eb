package io.confgate.admission.core;

import static io.confgate.admission.core.Fixtures.ROOM;
import static io.confgate.admission.core.Fixtures.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.EventResult;
import io.confgate.admission.Reason;
import io.confgate.admission.RoomOccupancy;
import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.event.OccupancyEvent;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/** Occupancy as Prosody reports it (event-sync): counts without member keys, each join taking a held place. */
class ReportedOccupancyTest {
    private final FakeTicker ticker = new FakeTicker();
    private final Fixtures.LinkRecorder links = new Fixtures.LinkRecorder();

    private AdmissionEngine engine() {
        return AdmissionEngines.builder(Fixtures.deployment().ignoredDomains(Set.of("recorder.meet.jitsi")).build())
                .ticker(ticker).nodeLinkListener(links).build();
    }

    private static Jid occupant(String name) {
        return JidCreate.fromOrThrowUnchecked(name + "@meet.jitsi/res");
    }

    private static Jid visitor(String name, String node) {
        return JidCreate.fromOrThrowUnchecked(name + "@" + node + ".meet.jitsi/res");
    }

    @Test
    void thirtyReportedOccupantsKeepTheRoomFullPastTheJoinLatency() {
        AdmissionEngine engine = engine();
        for (int i = 1; i <= 30; i++) {
            assertEquals(Reason.UNDER_LIMIT, engine.decide(join("s" + i)).reason());
        }
        for (int i = 1; i <= 30; i++) {
            assertEquals(EventResult.APPLIED,
                    engine.report(new OccupancyEvent.OccupantJoinedMain(ROOM, occupant("p" + i), i)));
        }
        RoomOccupancy joined = engine.occupancy(ROOM).orElseThrow();
        assertEquals(30, joined.mainMembers());
        assertEquals(0, joined.reservedSeats(), "each join took a held seat: nothing counted twice");
        ticker.advance(Duration.ofSeconds(61));
        engine.cleanUp();
        assertEquals(30, engine.occupancy(ROOM).orElseThrow().mainOccupancy(), "still full past the latency");
        assertEquals(Reason.ROOM_FULL, engine.decide(join("late")).reason());
    }

    @Test
    void aRetriedReportCountsOnceAndTheCountFollowsProsody() {
        AdmissionEngine engine = engine();
        engine.decide(join("a"));
        engine.decide(join("b"));
        engine.report(new OccupancyEvent.OccupantJoinedMain(ROOM, occupant("a"), 1));
        assertEquals(EventResult.IGNORED_DUPLICATE,
                engine.report(new OccupancyEvent.OccupantJoinedMain(ROOM, occupant("a"), 1)));
        assertEquals(1, engine.occupancy(ROOM).orElseThrow().reservedSeats(), "the retry took no second seat");
        engine.report(new OccupancyEvent.OccupantJoinedMain(ROOM, JidCreate.fromOrThrowUnchecked(
                "recorder@recorder.meet.jitsi/r"), 2));
        RoomOccupancy withRecorder = engine.occupancy(ROOM).orElseThrow();
        assertEquals(1, withRecorder.mainMembers(), "a recorder is in Prosody's count but never counts");
        assertEquals(1, withRecorder.uncountedMembers());
        assertEquals(1, withRecorder.reservedSeats(), "and took no seat");
        engine.report(new OccupancyEvent.OccupantLeftMain(ROOM, occupant("a"), 1));
        assertEquals(0, engine.occupancy(ROOM).orElseThrow().mainMembers());
    }

    @Test
    void aLeaveForARoomNotSeenYetRebuildsItsCountFromProsody() {
        AdmissionEngine engine = engine();
        assertEquals(EventResult.APPLIED, engine.report(new OccupancyEvent.OccupantLeftMain(ROOM, occupant("x"), 29)));
        assertEquals(29, engine.occupancy(ROOM).orElseThrow().mainOccupancy());
        engine.decide(join("one-more"));
        assertEquals(Reason.ROOM_FULL, engine.decide(join("too-many")).reason());
    }

    @Test
    void reportedVisitorsTakeTheOldestRedirectsToTheirNodeAndLeaveByJid() {
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxParticipants(0).build())
                .ticker(ticker).nodeLinkListener(links).build();
        for (int i = 0; i < 10; i++) {
            Decision d = engine.decide(join("v" + i));
            assertEquals("v1", Fixtures.nodeOf(d));
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(EventResult.APPLIED,
                    engine.report(new OccupancyEvent.OccupantJoinedNode(ROOM, "v1", visitor("n" + i, "v1"))));
        }
        assertEquals(EventResult.IGNORED_DUPLICATE,
                engine.report(new OccupancyEvent.OccupantJoinedNode(ROOM, "v1", visitor("n0", "v1"))));
        RoomOccupancy o = engine.occupancy(ROOM).orElseThrow();
        assertEquals(10, o.visitors());
        assertEquals(0, o.pendingVisitors(), "every redirect was taken by a join");
        assertEquals(10, engine.nodeLoads().get(0).load(), "pending became joined: the load is unchanged");
        engine.report(new OccupancyEvent.VisitorLeft(ROOM, "v1", visitor("n3", "v1").toString()));
        assertEquals(9, engine.nodeLoads().get(0).load());
        ticker.advance(Duration.ofSeconds(61));
        assertEquals(9, engine.occupancy(ROOM).orElseThrow().visitors(), "joined visitors do not expire");

        assertEquals(EventResult.APPLIED, engine.report(new OccupancyEvent.NodeRoomDestroyed(ROOM, "v1")));
        assertEquals(0, engine.nodeLoads().get(0).load());
        assertEquals(0, engine.nodeLoads().get(0).joined());
        NodeLinkEvent last = links.events.get(links.events.size() - 1);
        assertInstanceOf(NodeLinkEvent.Disconnect.class, last);
        assertEquals(NodeLinkEvent.Cause.LAST_VISITOR_LEFT, ((NodeLinkEvent.Disconnect) last).cause());
        assertTrue(engine.occupancy(ROOM).orElseThrow().visitorsByNode().isEmpty());
    }
}

package io.confgate.admission.core;

import static io.confgate.admission.core.Fixtures.ROOM;
import static io.confgate.admission.core.Fixtures.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.EventResult;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.RoomFacts;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.event.OccupancyEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BadInputTest {
    private final AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxParticipants(1).build())
            .ticker(new FakeTicker()).build();

    @Test
    void nullOrBlankOrInvalidRoomsAreRejectedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JoinRequest.builder(" "))
                .getMessage().contains("non-blank"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JoinRequest.builder((String) null))
                .getMessage().contains("non-blank"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JoinRequest.builder("no-local-part"))
                .getMessage().contains("not a valid room JID"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JoinRequest.builder("a@b@c"))
                .getMessage().contains("not a valid room JID"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JoinRequest.builder("a@b/res"))
                .getMessage().contains("not a valid room JID"));
        assertThrows(NullPointerException.class, () -> engine.decide(null));
    }

    @Test
    void negativeLimitsAndBadNodesFailAtBuildNamingTheKey() {
        assertMessage("jicofo.visitors.max-participants", () -> AdmissionConfig.builder().maxParticipants(-1).build());
        assertMessage("jicofo.visitors.max-visitors-per-node",
                () -> AdmissionConfig.builder().maxVisitorsPerNode(0).build());
        assertMessage("vnode-join-latency-interval",
                () -> AdmissionConfig.builder().vnodeJoinLatency(Duration.ZERO).build());
        assertMessage("configured twice", () -> AdmissionConfig.builder()
                .nodes(List.of(Fixtures.nodes(1, 5).get(0), Fixtures.nodes(1, 5).get(0))).build());
        assertMessage("capacity", () -> VisitorNode.conventional("v1", "meet.jitsi", 0));
        assertMessage("weight", () -> Fixtures.nodes(1, 5).get(0).withWeight(-1));
        assertMessage("participantSoftLimit", () -> RoomFacts.builder().participantSoftLimit(-3).build());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
        String message = assertThrows(IllegalArgumentException.class, e).getMessage();
        assertTrue(message.contains(expected), message);
    }

    @Test
    void eventsThatDoNotFitChangeNoCount() {
        assertEquals(EventResult.IGNORED_UNKNOWN_ROOM, engine.report(new OccupancyEvent.MainLeft(ROOM, "a")));
        assertEquals(EventResult.IGNORED_UNKNOWN_ROOM, engine.report(new OccupancyEvent.VisitorLeft(ROOM, "v1", "a")));
        assertTrue(engine.occupancy(ROOM).isEmpty(), "a leave must not create a room");
        engine.decide(join("a"));
        engine.decide(join("v"));
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "a"));
        engine.report(new OccupancyEvent.VisitorJoined(ROOM, "v1", "v"));
        var before = engine.occupancy(ROOM).orElseThrow();
        var loadsBefore = engine.nodeLoads();

        assertEquals(EventResult.IGNORED_DUPLICATE, engine.report(OccupancyEvent.MainJoined.of(ROOM, "a")));
        assertEquals(EventResult.IGNORED_NOT_JOINED, engine.report(new OccupancyEvent.MainLeft(ROOM, "nobody")));
        assertEquals(EventResult.IGNORED_UNKNOWN_NODE, engine.report(new OccupancyEvent.VisitorJoined(ROOM, "v9", "x")));
        assertEquals(EventResult.IGNORED_NOT_JOINED, engine.report(new OccupancyEvent.VisitorLeft(ROOM, "v2", "v")));
        assertEquals(EventResult.IGNORED_NOT_JOINED, engine.report(new OccupancyEvent.VisitorLeft(ROOM, "v1", "x")));
        assertEquals(EventResult.IGNORED_DUPLICATE, engine.report(new OccupancyEvent.VisitorJoined(ROOM, "v1", "v")));
        assertEquals(EventResult.IGNORED_UNKNOWN_ROOM, engine.report(
                new OccupancyEvent.RoomDestroyed(JoinRequest.parseRoom("other@conference.meet.jitsi"))));

        assertEquals(before, engine.occupancy(ROOM).orElseThrow());
        assertEquals(loadsBefore, engine.nodeLoads());
        assertThrows(IllegalArgumentException.class, () -> new OccupancyEvent.MainLeft(ROOM, " "));
        assertThrows(NullPointerException.class, () -> engine.report(null));
    }

    @Test
    void aJoinToARoomNeverAskedAboutIsCountedAsTheFactItIs() {
        assertEquals(EventResult.APPLIED, engine.report(OccupancyEvent.MainJoined.of(ROOM, "early")));
        assertEquals(1, engine.occupancy(ROOM).orElseThrow().mainMembers());
        assertEquals(io.confgate.admission.Reason.ROOM_FULL, engine.decide(join("next")).reason());
    }

    @Test
    void aSecondLeaveDoesNotGoNegative() {
        engine.decide(join("a"));
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "a"));
        assertEquals(EventResult.APPLIED, engine.report(new OccupancyEvent.MainLeft(ROOM, "a")));
        assertEquals(EventResult.IGNORED_NOT_JOINED, engine.report(new OccupancyEvent.MainLeft(ROOM, "a")));
        assertEquals(0, engine.occupancy(ROOM).orElseThrow().mainMembers());
    }

    @Test
    void aRoomFactsSourceReturningNullIsTreatedAsUnknown() {
        AdmissionEngine e = AdmissionEngines.builder(Fixtures.deployment().build()).roomFacts(room -> null).build();
        assertEquals(io.confgate.admission.Reason.UNDER_LIMIT, e.decide(join("a")).reason());
    }
}

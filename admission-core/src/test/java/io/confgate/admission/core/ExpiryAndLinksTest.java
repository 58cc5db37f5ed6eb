package io.confgate.admission.core;

import static io.confgate.admission.core.Fixtures.ROOM;
import static io.confgate.admission.core.Fixtures.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.Reason;
import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.event.OccupancyEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;

class ExpiryAndLinksTest {
    private static final EntityBareJid OTHER_ROOM = JoinRequest.parseRoom("other@conference.meet.jitsi");
    private final FakeTicker ticker = new FakeTicker();
    private final Fixtures.LinkRecorder links = new Fixtures.LinkRecorder();

    /**
     * A main room that refills once seats expire (visitors not sticky) needs a visitors component that lets
     * everyone in after a connect ({@code auto_allow_visitor_promotion}); with Jitsi's default component a
     * connected node closes the main room (PlacementRulesTest, LinkGateTest).
     */
    private AdmissionEngine engine(int maxParticipants, boolean sticky) {
        return AdmissionEngines.builder(Fixtures.deployment().maxParticipants(maxParticipants)
                        .stickyVisitors(sticky).componentAutoAllows(!sticky)
                        .vnodeJoinLatency(Duration.ofSeconds(60)).build())
                .ticker(ticker).nodeLinkListener(links).build();
    }

    @Test
    void anUnconfirmedSeatExpiresAfterTheJoinLatencyAndFreesTheRoom() {
        AdmissionEngine engine = engine(2, false);
        engine.decide(join("a"));
        engine.decide(join("ghost"));
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "a"));
        assertEquals(Reason.ROOM_FULL, engine.decide(join("c")).reason());

        ticker.advance(Duration.ofSeconds(59));
        engine.cleanUp();
        assertEquals(1, engine.occupancy(ROOM).orElseThrow().reservedSeats(), "still held before the interval");

        ticker.advance(Duration.ofSeconds(2));
        engine.cleanUp();
        var occupancy = engine.occupancy(ROOM).orElseThrow();
        assertEquals(0, occupancy.reservedSeats());
        assertEquals(1, occupancy.mainMembers());
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("d")).reason());
    }

    @Test
    void aMemberHoldsOnePlaceAtATime() {
        AdmissionEngine engine = engine(2, false);
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("a")).reason());
        // The same member asks to watch instead: its seat is given back as it takes a redirect.
        Decision watching = engine.decide(JoinRequest.builder(ROOM).sessionId("a").visitorRequested(true).build());
        assertEquals(Reason.VISITOR_REQUESTED, watching.reason());
        var occupancy = engine.occupancy(ROOM).orElseThrow();
        assertEquals(0, occupancy.reservedSeats(), "no seat is kept for a member sent to a node");
        assertEquals(1, occupancy.pendingVisitors());
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("b")).reason());
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("c")).reason(), "the seat a gave back is free");

        // Asking again without the flag: b and c hold both seats, and a keeps its one redirect.
        assertEquals(Reason.ROOM_FULL, engine.decide(join("a")).reason());
        occupancy = engine.occupancy(ROOM).orElseThrow();
        assertEquals(2, occupancy.reservedSeats());
        assertEquals(1, occupancy.pendingVisitors());
    }

    @Test
    void aRedirectGivesWayToASeatAndEachPlaceExpiresIntoItsOwnCount() {
        AdmissionEngine engine = engine(1, false);
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("a")).reason());
        assertEquals(Reason.ROOM_FULL, engine.decide(join("b")).reason());
        assertPlaces(engine, 1, 1);
        // a gives its seat back for a redirect; b, asking again, takes the seat and gives its redirect back.
        engine.decide(JoinRequest.builder(ROOM).sessionId("a").visitorRequested(true).build());
        assertPlaces(engine, 0, 2);
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("b")).reason());
        assertPlaces(engine, 1, 1);
        assertEquals(Reason.SEAT_HELD, engine.decide(join("b")).reason(), "a retry renews the seat, not a second one");
        assertPlaces(engine, 1, 1);

        ticker.advance(Duration.ofSeconds(61));
        assertPlaces(engine, 0, 0);
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("c")).reason());
    }

    /** Seats and redirects held, in the totals and the room, and node loads that match the redirects. */
    private static void assertPlaces(AdmissionEngine engine, int seats, int redirects) {
        assertEquals(seats, engine.totals().reservedSeats(), "seats held");
        assertEquals(redirects, engine.totals().pendingRedirects(), "redirects held");
        assertEquals(seats, engine.occupancy(ROOM).orElseThrow().reservedSeats(), "seats held in the room");
        assertEquals(redirects, engine.occupancy(ROOM).orElseThrow().pendingVisitors(), "redirects held in the room");
        assertEquals(redirects, engine.nodeLoads().stream().mapToInt(l -> l.load()).sum(), "node loads");
    }

    @Test
    void expiryIsAppliedEvenWithoutAnExplicitCleanUp() {
        AdmissionEngine engine = engine(1, false);
        engine.decide(join("ghost"));
        ticker.advance(Duration.ofSeconds(61));
        // The room gives back its due seats before it decides: the next decision sees the room empty.
        Decision next = engine.decide(join("b"));
        engine.cleanUp();
        assertEquals(Reason.UNDER_LIMIT, next.reason(), "the expired seat must not block the room");
        assertEquals(1, engine.occupancy(ROOM).orElseThrow().reservedSeats());
    }

    @Test
    void aSeatIsHeldForExactlyTheJoinLatency() {
        AdmissionEngine engine = engine(1, false);
        engine.decide(join("ghost"));
        ticker.advance(Duration.ofSeconds(60).minusNanos(1));
        assertEquals(Reason.ROOM_FULL, engine.decide(join("b")).reason(), "held until the last nanosecond");
        ticker.advance(Duration.ofNanos(1));
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("c")).reason(), "given back at the deadline");
    }

    @Test
    void aRetryRenewsTheSeatSoItOutlivesSeatsTakenAfterIt() {
        AdmissionEngine engine = engine(3, false);
        engine.decide(join("a"));                   // t=0, held until 60
        ticker.advance(Duration.ofSeconds(10));
        engine.decide(join("b"));                   // t=10, held until 70
        ticker.advance(Duration.ofSeconds(20));
        assertEquals(Reason.SEAT_HELD, engine.decide(join("a")).reason()); // t=30: a renewed until 90
        assertEquals(2, engine.occupancy(ROOM).orElseThrow().reservedSeats());

        ticker.advance(Duration.ofSeconds(41));     // t=71: b expired, a still held
        assertEquals(1, engine.occupancy(ROOM).orElseThrow().reservedSeats());
        assertEquals(Reason.SEAT_HELD, engine.decide(join("a")).reason(), "a kept its seat");
        assertEquals(1, engine.occupancy(ROOM).orElseThrow().reservedSeats());
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("b")).reason(), "b lost its seat and takes a new one");
    }

    @Test
    void anIdleRoomsExpiredRedirectsGoBackToTheNodeAtCleanUp() {
        AdmissionEngine engine = AdmissionEngines.builder(AdmissionConfig.builder().enabled(true).maxParticipants(0)
                        .nodes(Fixtures.nodes(1, 2)).build())
                .ticker(ticker).nodeLinkListener(links).build();
        engine.decide(join("a"));
        engine.decide(join("b"));
        assertEquals(2, engine.nodeLoads().get(0).load(), "the node is full");

        ticker.advance(Duration.ofSeconds(61));
        engine.cleanUp(); // the room is idle: only the sweep gives its places back
        assertEquals(0, engine.nodeLoads().get(0).load());
        assertEquals(0, engine.nodeLoads().get(0).pending());

        Decision elsewhere = engine.decide(join(OTHER_ROOM, "w"));
        assertEquals("v1", Fixtures.nodeOf(elsewhere));
        assertEquals(0, engine.nodeLoads().get(0).overflowed(), "placed within capacity");
    }

    @Test
    void aLateJoinAfterExpiryIsStillCountedExactly() {
        AdmissionEngine engine = engine(1, false);
        engine.decide(join("slow"));
        ticker.advance(Duration.ofSeconds(61));
        engine.cleanUp();
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "slow"));
        var occupancy = engine.occupancy(ROOM).orElseThrow();
        assertEquals(1, occupancy.mainMembers());
        assertEquals(0, occupancy.reservedSeats());
    }

    @Test
    void pendingRedirectsExpireAndGiveTheNodePlaceBack() {
        AdmissionEngine engine = engine(0, true);
        engine.decide(join("v-1"));
        engine.decide(join("v-2"));
        engine.report(new OccupancyEvent.VisitorJoined(ROOM, "v1", "v-1"));
        assertEquals(2, engine.nodeLoads().get(0).load());
        assertEquals(1, engine.nodeLoads().get(0).pending());

        ticker.advance(Duration.ofSeconds(61));
        engine.cleanUp();
        assertEquals(1, engine.nodeLoads().get(0).load());
        assertEquals(0, engine.nodeLoads().get(0).pending());
        assertEquals(0, engine.occupancy(ROOM).orElseThrow().pendingVisitors());
        assertEquals(1, engine.occupancy(ROOM).orElseThrow().visitors());
    }

    @Test
    void connectOnFirstRedirectDisconnectWhenTheLastVisitorLeaves() {
        AdmissionEngine engine = engine(0, true);
        engine.decide(join("x"));
        engine.decide(join("y"));
        // No main seat is on its way (max-participants 0): the node's room is made and linked at once.
        assertEquals(List.of("prepare townhall v1", "connect townhall v1"), links.describe());
        engine.report(new OccupancyEvent.VisitorJoined(ROOM, "v1", "x"));
        engine.report(new OccupancyEvent.VisitorJoined(ROOM, "v1", "y"));
        engine.report(new OccupancyEvent.VisitorLeft(ROOM, "v1", "x"));
        assertEquals(2, links.events.size());
        engine.report(new OccupancyEvent.VisitorLeft(ROOM, "v1", "y"));
        assertEquals(List.of("prepare townhall v1", "connect townhall v1", "disconnect townhall v1"),
                links.describe());
        assertEquals(NodeLinkEvent.Cause.LAST_VISITOR_LEFT,
                ((NodeLinkEvent.Disconnect) links.events.get(2)).cause());
    }

    @Test
    void redirectsThatExpireUnusedDisconnectAtCleanUp() {
        AdmissionEngine engine = engine(0, true);
        engine.decide(join("never-came"));
        ticker.advance(Duration.ofSeconds(61));
        engine.cleanUp();
        assertEquals(List.of("prepare townhall v1", "connect townhall v1", "disconnect townhall v1"),
                links.describe());
        assertEquals(NodeLinkEvent.Cause.REDIRECTS_EXPIRED,
                ((NodeLinkEvent.Disconnect) links.events.get(2)).cause());
    }

    @Test
    void destroyingARoomDropsEverythingAndDisconnectsEveryNode() {
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxParticipants(1)
                        .maxVisitorsPerNode(1).build())
                .ticker(ticker).nodeLinkListener(links).build();
        engine.decide(join("m"));
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "m"));
        engine.decide(join("a"));
        engine.decide(join("b"));
        engine.report(new OccupancyEvent.VisitorJoined(ROOM, "v1", "a"));
        assertEquals(List.of("prepare townhall v1", "connect townhall v1", "prepare townhall v2", "connect townhall v2"),
                links.describe());

        assertTrue(engine.report(new OccupancyEvent.RoomDestroyed(ROOM)).applied());
        assertTrue(engine.occupancy(ROOM).isEmpty());
        engine.nodeLoads().forEach(load -> assertEquals(0, load.load(), load.nodeId()));
        assertEquals(6, links.events.size());
        assertTrue(links.events.subList(4, 6).stream().allMatch(e -> e instanceof NodeLinkEvent.Disconnect d
                && d.cause() == NodeLinkEvent.Cause.ROOM_DESTROYED));

        // Expiry after destruction must not give back places twice.
        ticker.advance(Duration.ofSeconds(61));
        engine.cleanUp();
        engine.nodeLoads().forEach(load -> assertEquals(0, load.load(), load.nodeId()));

        // The same room can start again from zero.
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("m2")).reason());
    }

    @Test
    void idleEmptyRoomsAreForgotten() {
        AdmissionEngine engine = engine(5, true);
        engine.decide(join("a"));
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "a"));
        engine.report(new OccupancyEvent.MainLeft(ROOM, "a"));
        ticker.advance(Duration.ofSeconds(61));
        engine.cleanUp();
        assertTrue(engine.occupancy(ROOM).isEmpty());
    }

    @Test
    void aListenerThatThrowsDoesNotBreakDecisions() {
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxParticipants(0).build())
                .ticker(ticker).nodeLinkListener(e -> {
                    throw new IllegalStateException("xmpp down");
                }).build();
        assertEquals("v1", Fixtures.nodeOf(engine.decide(join("a"))));
        assertEquals(1, engine.nodeLoads().get(0).pending());
    }
}

package io.confgate.admission.core;

import static io.confgate.admission.core.Fixtures.ROOM;
import static io.confgate.admission.core.Fixtures.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.MemberKind;
import io.confgate.admission.Outcome;
import io.confgate.admission.Reason;
import io.confgate.admission.RoomFacts;
import io.confgate.admission.event.OccupancyEvent;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.jxmpp.jid.impl.JidCreate;

class PlacementRulesTest {
    private final FakeTicker ticker = new FakeTicker();

    private AdmissionEngine engine(AdmissionConfig config) {
        return AdmissionEngines.builder(config).ticker(ticker).build();
    }

    private AdmissionEngine fullRoomEngine(AdmissionConfig.Builder config) {
        AdmissionEngine engine = engine(config.maxParticipants(2).build());
        for (String s : new String[] {"a", "b"}) {
            assertEquals(Reason.UNDER_LIMIT, engine.decide(join(s)).reason());
            engine.report(OccupancyEvent.MainJoined.of(ROOM, s));
        }
        return engine;
    }

    @Test
    void belowTheLimitReservesASeatAndAtTheLimitRedirects() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(2).build());
        Decision first = engine.decide(join("s1"));
        Decision second = engine.decide(join("s2"));
        Decision third = engine.decide(join("s3"));
        assertEquals(new Decision.Main(ROOM, "s1", Reason.UNDER_LIMIT, true), first);
        assertEquals(Reason.UNDER_LIMIT, second.reason());
        assertEquals(Outcome.VISITOR, third.outcome());
        assertEquals(Reason.ROOM_FULL, third.reason());
        assertEquals("focus@auth.v1.meet.jitsi", ((Decision.Visitor) third).node().focusJid().toString());
        assertEquals(2, engine.occupancy(ROOM).orElseThrow().reservedSeats());
    }

    @Test
    void visitorsDisabledSendsEveryoneToMain() {
        AdmissionEngine engine = engine(Fixtures.deployment().enabled(false).maxParticipants(0).build());
        Decision d = engine.decide(JoinRequest.builder(ROOM).sessionId("x").visitorRequested(true).build());
        assertEquals(new Decision.Main(ROOM, "x", Reason.VISITORS_DISABLED, false), d);
    }

    @Test
    void lobbyBreakoutAndRoomFlagKeepEveryoneInMainEvenWhenFull() {
        AdmissionEngine engine = fullRoomEngine(Fixtures.deployment());
        assertEquals(Reason.LOBBY, engine.decide(JoinRequest.builder(ROOM).sessionId("c")
                .roomFacts(RoomFacts.builder().lobbyEnabled(true).build()).build()).reason());
        assertEquals(Reason.BREAKOUT, engine.decide(JoinRequest.builder(ROOM).sessionId("d")
                .roomFacts(RoomFacts.builder().breakoutRoom(true).build()).build()).reason());
        Decision flagOff = engine.decide(JoinRequest.builder(ROOM).sessionId("e")
                .roomFacts(RoomFacts.builder().visitorsEnabled(false).build()).build());
        assertEquals(Reason.ROOM_VISITORS_OFF, flagOff.reason());
        assertEquals(Outcome.MAIN, flagOff.outcome());
        // They are counted: the room now holds 2 members and 3 seats.
        assertEquals(5, engine.occupancy(ROOM).orElseThrow().mainOccupancy());
    }

    @Test
    void requiredRoomFlagMustBePresentAndOn() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(0).requireMucConfigFlag(true).build());
        assertEquals(Reason.ROOM_VISITORS_OFF, engine.decide(join("absent")).reason());
        Decision on = engine.decide(JoinRequest.builder(ROOM).sessionId("on")
                .roomFacts(RoomFacts.builder().visitorsEnabled(true).build()).build());
        assertEquals(Reason.ROOM_FULL, on.reason());
    }

    @ParameterizedTest
    @EnumSource(value = MemberKind.class, names = {"RECORDER", "TRANSCRIBER", "SIP_GATEWAY"})
    void servicesGoToMainAndAreNeverCounted(MemberKind kind) {
        AdmissionEngine engine = fullRoomEngine(Fixtures.deployment());
        Decision d = engine.decide(JoinRequest.builder(ROOM).sessionId("svc").kind(kind).build());
        assertEquals(new Decision.Main(ROOM, "svc", Reason.IGNORED_MEMBER, false), d);
        engine.report(new OccupancyEvent.MainJoined(ROOM, "svc", kind, java.util.Optional.empty()));
        var occupancy = engine.occupancy(ROOM).orElseThrow();
        assertEquals(2, occupancy.mainOccupancy());
        assertEquals(1, occupancy.uncountedMembers());
        assertTrue(engine.report(new OccupancyEvent.MainLeft(ROOM, "svc")).applied());
    }

    @Test
    void ignoreListedDomainsGoToMainUncounted() throws Exception {
        AdmissionEngine engine = fullRoomEngine(Fixtures.deployment().ignoredDomains(Set.of("Recorder.Example.com")));
        Decision d = engine.decide(JoinRequest.builder(ROOM).sessionId("jibri")
                .address(JidCreate.from("jibri@recorder.example.com/abc")).build());
        assertEquals(Reason.IGNORED_MEMBER, d.reason());
        Decision other = engine.decide(JoinRequest.builder(ROOM).sessionId("p")
                .address(JidCreate.from("p@meet.example.com/abc")).build());
        assertEquals(Reason.ROOM_FULL, other.reason());
    }

    @Test
    void clientsWithoutVisitorSupportGoToMain() {
        AdmissionEngine engine = fullRoomEngine(Fixtures.deployment());
        Decision d = engine.decide(JoinRequest.builder(ROOM).sessionId("old").supportsVisitors(false).build());
        assertEquals(new Decision.Main(ROOM, "old", Reason.NO_VISITOR_SUPPORT, true), d);
    }

    @Test
    void visitorRequestedIsAVisitorEvenWithRoomToSpare() {
        AdmissionEngine engine = engine(Fixtures.deployment().build());
        Decision d = engine.decide(JoinRequest.builder(ROOM).sessionId("v").visitorRequested(true).build());
        assertEquals(Reason.VISITOR_REQUESTED, d.reason());
        assertEquals("v1", Fixtures.nodeOf(d));
    }

    @Test
    void moderatorAndParticipantListsEnterAFullRoom() {
        // Groups on the moderator list too; without a participant list everyone else may still join.
        RoomFacts facts = RoomFacts.builder().moderators(Set.of("alice", "team-blue")).build();
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxParticipants(2).build())
                .ticker(ticker).roomFacts(room -> facts).build();
        engine.decide(join("a"));
        engine.decide(join("b"));
        assertEquals(Reason.ROOM_FULL, engine.decide(JoinRequest.builder(ROOM).sessionId("c").userId("bob").build())
                .reason());
        Decision alice = engine.decide(JoinRequest.builder(ROOM).sessionId("d").userId("alice").build());
        Decision group = engine.decide(JoinRequest.builder(ROOM).sessionId("e").userId("carol")
                .groupId("team-blue").build());
        assertEquals(new Decision.Main(ROOM, "d", Reason.ALLOWED_LIST, true), alice);
        assertEquals(Reason.ALLOWED_LIST, group.reason());
        assertEquals(4, engine.occupancy(ROOM).orElseThrow().mainOccupancy());
    }

    @Test
    void onceVisitorsExistLaterJoinersAreVisitorsEvenIfASeatFreesUp() {
        AdmissionEngine engine = fullRoomEngine(Fixtures.deployment());
        Decision v = engine.decide(join("v"));
        engine.report(new OccupancyEvent.VisitorJoined(ROOM, "v1", "v"));
        engine.report(new OccupancyEvent.MainLeft(ROOM, "a"));
        assertEquals(1, engine.occupancy(ROOM).orElseThrow().mainOccupancy());
        Decision late = engine.decide(join("late"));
        assertEquals(Reason.STICKY_VISITORS, late.reason());
        assertEquals(Fixtures.nodeOf(v), Fixtures.nodeOf(late));
    }

    @Test
    void stickyVisitorsCanBeSwitchedOffWhereTheComponentLetsEveryoneIn() {
        AdmissionEngine engine = fullRoomEngine(Fixtures.deployment().stickyVisitors(false).componentAutoAllows(true));
        engine.decide(join("v"));
        engine.report(new OccupancyEvent.VisitorJoined(ROOM, "v1", "v"));
        engine.report(new OccupancyEvent.MainLeft(ROOM, "a"));
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("late")).reason());
    }

    @Test
    void aConnectedNodeClosesTheMainRoomWhereTheComponentRefusesUnpromotedJoins() {
        // mod_visitors_component without auto_allow_visitor_promotion refuses every main-room join that was not
        // promoted once a node is connected: a freed seat must not send anyone there, sticky or not.
        AdmissionEngine engine = fullRoomEngine(Fixtures.deployment().stickyVisitors(false));
        engine.decide(join("v"));
        engine.report(new OccupancyEvent.VisitorJoined(ROOM, "v1", "v"));
        engine.report(new OccupancyEvent.MainLeft(ROOM, "a"));
        Decision late = engine.decide(join("late"));
        assertEquals(Reason.NODE_CONNECTED, late.reason());
        // Once the conference no longer uses a node (disconnect-vnode), the main room is open again.
        engine.report(new OccupancyEvent.VisitorJoined(ROOM, Fixtures.nodeOf(late), "late"));
        engine.report(new OccupancyEvent.VisitorLeft(ROOM, "v1", "v"));
        engine.report(new OccupancyEvent.VisitorLeft(ROOM, Fixtures.nodeOf(late), "late"));
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("later")).reason());
    }

    @Test
    void perRoomSoftLimitOverridesMaxParticipants() {
        RoomFacts facts = RoomFacts.builder().participantSoftLimit(1).build();
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().build()).ticker(ticker)
                .roomFacts(room -> facts).build();
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("a")).reason());
        assertEquals(Reason.ROOM_FULL, engine.decide(join("b")).reason());
    }

    @Test
    void aRepeatedRequestKeepsItsSeatOrNodeWithoutCountingTwice() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(1).build());
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("a")).reason());
        assertEquals(new Decision.Main(ROOM, "a", Reason.SEAT_HELD, true), engine.decide(join("a")));
        Decision v = engine.decide(join("b"));
        Decision again = engine.decide(join("b"));
        assertEquals(Fixtures.nodeOf(v), Fixtures.nodeOf(again));
        var occupancy = engine.occupancy(ROOM).orElseThrow();
        assertEquals(1, occupancy.reservedSeats());
        assertEquals(1, occupancy.pendingVisitors());
        assertEquals(1, engine.nodeLoads().get(0).load());
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "a"));
        assertEquals(new Decision.Main(ROOM, "a", Reason.SEAT_HELD, false), engine.decide(join("a")));
    }

    /**
     * Jicofo's {@code ConferenceIqHandler}: with enable-live-room, while the room is not live, a client that
     * asked to be a visitor, or may not join the main room, is queued; one sent to a node only because the
     * room is full is redirected as usual.
     */
    @Test
    void liveRoomGatingQueuesOnlyRequestedAndNotAllowedVisitors() {
        var live = new java.util.concurrent.atomic.AtomicBoolean(false);
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxParticipants(1)
                        .enableLiveRoom(true).build())
                .ticker(ticker).roomFacts(room -> RoomFacts.builder().live(live.get()).moderators(Set.of("host"))
                        .participants(Set.of("speaker")).build()).build();
        assertEquals(Reason.ALLOWED_LIST, engine.decide(JoinRequest.builder(ROOM).sessionId("h").userId("host")
                .build()).reason());
        Decision asked = engine.decide(JoinRequest.builder(ROOM).sessionId("early").visitorRequested(true).build());
        assertEquals(new Decision.Queued(ROOM, "early", Reason.NOT_LIVE), asked);
        Decision stranger = engine.decide(join("stranger"));
        assertEquals(new Decision.Queued(ROOM, "stranger", Reason.NOT_LIVE), stranger, "not on the list");
        assertEquals(0, engine.nodeLoads().get(0).load(), "a queued visitor holds no node place");
        assertEquals(Reason.ALLOWED_LIST, engine.decide(JoinRequest.builder(ROOM).sessionId("s").userId("speaker")
                .build()).reason(), "a listed client is never queued or redirected");
        live.set(true);
        Decision admitted = engine.decide(JoinRequest.builder(ROOM).sessionId("early").visitorRequested(true).build());
        assertInstanceOf(Decision.Visitor.class, admitted);
        assertEquals(Reason.VISITOR_REQUESTED, admitted.reason());
    }

    @Test
    void liveRoomGatingRedirectsAFullRoomsAllowedClientsAtOnce() {
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxParticipants(1)
                .enableLiveRoom(true).build()).ticker(ticker).roomFacts(room -> RoomFacts.builder().build()).build();
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("host")).reason());
        Decision full = engine.decide(join("late"));
        assertInstanceOf(Decision.Visitor.class, full, "no participant list: allowed, so redirected, not queued");
        assertEquals(Reason.ROOM_FULL, full.reason());
    }

    /** "No list" and "an empty list" differ, as Jicofo's ChatRoomImpl.participants null and empty do. */
    @Test
    void aParticipantListSendsTheUnlistedToNodesEvenBelowTheLimit() {
        var list = new java.util.concurrent.atomic.AtomicReference<RoomFacts>(RoomFacts.unknown());
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().build()).ticker(ticker)
                .roomFacts(room -> list.get()).build();
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("nolist")).reason(), "no list: everyone may join");
        list.set(RoomFacts.builder().participants(Set.of()).build());
        Decision empty = engine.decide(join("emptylist"));
        assertEquals(Reason.NOT_ALLOWED, empty.reason(), "an empty list admits only moderators");
        assertInstanceOf(Decision.Visitor.class, empty);
        list.set(RoomFacts.builder().moderators(Set.of("mod")).participants(Set.of("team")).build());
        assertEquals(Reason.NOT_ALLOWED, engine.decide(JoinRequest.builder(ROOM).sessionId("x").userId("other")
                .build()).reason());
        assertEquals(Reason.ALLOWED_LIST, engine.decide(JoinRequest.builder(ROOM).sessionId("m").userId("mod")
                .build()).reason());
        assertEquals(Reason.ALLOWED_LIST, engine.decide(JoinRequest.builder(ROOM).sessionId("g").groupId("team")
                .build()).reason());
        assertEquals(Reason.VISITOR_REQUESTED, engine.decide(JoinRequest.builder(ROOM).sessionId("mv").userId("mod")
                .visitorRequested(true).build()).reason(), "a listed client that asks to watch is redirected");
        assertEquals(3, engine.occupancy(ROOM).orElseThrow().mainOccupancy(), "nolist, mod and team hold seats");
    }

    @Test
    void nobodyIsRedirectedWhileTheVisitorsComponentIsUnavailableAndThoseOverTheLimitAskAgain() {
        AdmissionEngine engine = engine(Fixtures.deployment().maxParticipants(1).build());
        assertTrue(engine.visitorsAvailable(), "an engine without signaling starts available");
        engine.setVisitorsAvailable(false);
        Decision first = engine.decide(JoinRequest.builder(ROOM).sessionId("x").visitorRequested(true).build());
        assertEquals(new Decision.Main(ROOM, "x", Reason.VISITORS_UNAVAILABLE, true), first, "under the limit: main");
        Decision second = engine.decide(join("y"));
        assertEquals(new Decision.Queued(ROOM, "y", Reason.VISITORS_UNAVAILABLE), second,
                "over the limit: ready:false, asked again, never past the limit");
        assertEquals(Reason.SEAT_HELD, engine.decide(join("x")).reason());
        assertEquals(0, engine.nodeLoads().stream().mapToInt(l -> l.load()).sum());
        engine.setVisitorsAvailable(true);
        assertEquals(Reason.ROOM_FULL, engine.decide(join("y")).reason(), "y asks again: a node");
        assertEquals(1, engine.occupancy(ROOM).orElseThrow().mainOccupancy());
    }

    @Test
    void anonymousRequestsGetDistinctKeys() {
        AdmissionEngine engine = engine(Fixtures.deployment().build());
        String k1 = engine.decide(JoinRequest.builder(ROOM).build()).memberKey();
        String k2 = engine.decide(JoinRequest.builder(ROOM).build()).memberKey();
        assertFalse(k1.equals(k2));
        assertEquals(2, engine.occupancy(ROOM).orElseThrow().reservedSeats());
    }

    @Test
    void memberKeyPrefersSessionThenMachineThenUser() {
        AdmissionEngine engine = engine(Fixtures.deployment().build());
        assertEquals("s", engine.decide(JoinRequest.builder(ROOM).sessionId("s").machineUid("m").userId("u")
                .build()).memberKey());
        assertEquals("m", engine.decide(JoinRequest.builder(ROOM).machineUid("m").userId("u").build()).memberKey());
        assertEquals("u", engine.decide(JoinRequest.builder(ROOM).userId("u").sessionId("  ").build()).memberKey());
    }
}

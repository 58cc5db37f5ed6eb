package io.confgate.admission.core;

import static io.confgate.admission.core.Fixtures.ROOM;
import static io.confgate.admission.core.Fixtures.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.EventResult;
import io.confgate.admission.Identity;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.Reason;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.promotion.PromotionConfig;
import io.confgate.admission.promotion.PromotionError;
import io.confgate.admission.promotion.PromotionRequest;
import io.confgate.admission.promotion.PromotionResult;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.EntityBareJid;

/** Every server-wide bound: past it a clear refusal, and nothing else changes. */
class CapsTest {
    private final FakeTicker ticker = new FakeTicker();

    private static EntityBareJid room(String name) {
        return JoinRequest.parseRoom(name + "@conference.meet.jitsi");
    }

    @Test
    void pastMaxRoomsANewRoomIsRefusedAndNothingIsCreated() {
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxRooms(2).build()).ticker(ticker)
                .build();
        engine.decide(join(room("a"), "s"));
        engine.decide(join(room("b"), "s"));
        Decision refused = engine.decide(join(room("c"), "s"));
        assertEquals(new Decision.Refused(room("c"), "s", Reason.CAPACITY), refused);
        assertTrue(engine.occupancy(room("c")).isEmpty());
        assertEquals(2, engine.totals().rooms());
        assertEquals(EventResult.IGNORED_CAPACITY, engine.report(OccupancyEvent.MainJoined.of(room("d"), "x")));
        assertEquals(Reason.SEAT_HELD, engine.decide(join(room("a"), "s")).reason(), "known rooms go on");
        engine.report(new OccupancyEvent.RoomDestroyed(room("a")));
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join(room("c"), "s")).reason(), "room again once one ends");
    }

    @Test
    void pastMaxHeldPlacesANewPlaceIsRefusedBeforeANodePlaceIsTaken() {
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxParticipants(2).maxHeldPlaces(3)
                .build()).ticker(ticker).build();
        engine.decide(join("a"));
        engine.decide(join("b"));
        assertInstanceOf(Decision.Visitor.class, engine.decide(join("c")));
        Decision refused = engine.decide(join("d"));
        assertEquals(Reason.CAPACITY, refused.reason());
        assertEquals(1, engine.nodeLoads().stream().mapToInt(l -> l.load()).sum(), "no node place taken for d");
        assertEquals(Reason.SEAT_HELD, engine.decide(join("a")).reason(), "a renewal needs no new place");
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "a")); // a's seat becomes a member: one place free
        assertInstanceOf(Decision.Visitor.class, engine.decide(join("d")));
    }

    @Test
    void pastMaxHandsRaisingIsRefusedUntilOldHandsAreForgotten() {
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxParticipants(0)
                .promotion(PromotionConfig.builder().autoAllow(false).maxHands(2).ticketLifetime(Duration.ofMinutes(1))
                        .build()).build()).ticker(ticker).build();
        raise(engine, "v1");
        raise(engine, "v2");
        PromotionResult third = raise(engine, "v3");
        assertEquals(PromotionError.CAPACITY, ((PromotionResult.Refused) third).error());
        engine.report(new OccupancyEvent.RoomDestroyed(ROOM)); // the room's hands go with it
        assertInstanceOf(PromotionResult.Done.class, raise(engine, "v3"));
    }

    @Test
    void raiseHandCountsAreKeptForAtMostMaxTrackedVisitorsAndNotForCallsRefusedAtCapacity() {
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxParticipants(0)
                .promotion(PromotionConfig.builder().autoAllow(false).maxHands(20).maxTrackedVisitors(5)
                        .maxRequestsPerVisitorPerMinute(1).build()).build()).ticker(ticker).build();
        for (int i = 0; i < 19; i++) {
            assertInstanceOf(PromotionResult.Done.class, raise(engine, "v" + i));
        }
        assertTrue(engine.totals().trackedVisitors() <= 5, "bounded: " + engine.totals().trackedVisitors());
        assertEquals(PromotionError.RATE_LIMITED, ((PromotionResult.Refused) raise(engine, "v18")).error(),
                "a visitor just counted is still limited");
        String last = ((PromotionResult.Done) raise(engine, "v19")).hand().requestId(); // the 20th hand: full
        assertEquals(last, ((PromotionResult.Done) raise(engine, "v19")).hand().requestId(),
                "at max-hands a visitor with a hand still gets it");
        long tracked = engine.totals().trackedVisitors();
        int rooms = engine.totals().rooms();
        for (int i = 0; i < 50; i++) { // past max-hands: refused before anything is counted or created
            assertEquals(PromotionError.CAPACITY, ((PromotionResult.Refused) raise(engine, "new" + i)).error());
            assertEquals(PromotionError.CAPACITY, ((PromotionResult.Refused) engine.promotions().raiseHand(
                    new PromotionRequest(JidCreate.entityBareFromOrThrowUnchecked("made-up-" + i + "@conference.x"),
                            Identity.ofSession("m" + i), Optional.empty(), Optional.empty()))).error());
        }
        assertEquals(tracked, engine.totals().trackedVisitors());
        assertEquals(rooms, engine.totals().rooms(), "no room made up for a refused hand");
    }

    @Test
    void pastMaxTicketsApprovalsAreRefusedAndTheHandsStayPending() {
        AdmissionEngine engine = AdmissionEngines.builder(Fixtures.deployment().maxParticipants(0)
                .promotion(PromotionConfig.builder().autoAllow(false).maxTickets(1).build()).build()).ticker(ticker)
                .build();
        String first = ((PromotionResult.Done) raise(engine, "v1")).hand().requestId();
        String second = ((PromotionResult.Done) raise(engine, "v2")).hand().requestId();
        Identity moderator = new Identity(Optional.of("host"), Optional.empty(), true, Optional.empty(),
                Optional.empty(), Optional.empty());
        PromotionResult both = engine.promotions().approve(ROOM, moderator, java.util.List.of(first, second));
        assertEquals(PromotionError.CAPACITY, ((PromotionResult.Refused) both).error(), "all or nothing");
        assertEquals(2, ((PromotionResult.Done) engine.promotions().pending(ROOM, moderator)).hands().size());
        assertInstanceOf(PromotionResult.Done.class, engine.promotions().approve(ROOM, moderator,
                java.util.List.of(first)));
        assertEquals(PromotionError.CAPACITY, ((PromotionResult.Refused) engine.promotions().approve(ROOM, moderator,
                java.util.List.of(second))).error());
    }

    private static PromotionResult raise(AdmissionEngine engine, String session) {
        return engine.promotions().raiseHand(new PromotionRequest(ROOM, Identity.ofSession(session), Optional.empty(),
                Optional.empty()));
    }
}

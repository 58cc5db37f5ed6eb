package io.confgate.admission.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.Identity;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.Outcome;
import io.confgate.admission.Reason;
import io.confgate.admission.RoomFacts;
import io.confgate.admission.TicketCheck;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.event.PromotionEvent;
import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.HandState;
import io.confgate.admission.promotion.PromotionConfig;
import io.confgate.admission.promotion.PromotionError;
import io.confgate.admission.promotion.PromotionReason;
import io.confgate.admission.promotion.PromotionRequest;
import io.confgate.admission.promotion.PromotionResult;
import io.confgate.admission.promotion.Promotions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;

class PromotionTest {
    private static final EntityBareJid ROOM = Fixtures.ROOM;
    private static final EntityBareJid OTHER_ROOM = JoinRequest.parseRoom("other@conference.meet.jitsi");
    private static final Identity MODERATOR = new Identity(Optional.of("mod"), Optional.empty(), true,
            Optional.empty(), Optional.of("mod-session"), Optional.empty());

    private final FakeTicker ticker = new FakeTicker();
    private final List<PromotionEvent> events = new CopyOnWriteArrayList<>();
    private final Map<EntityBareJid, RoomFacts> facts = new ConcurrentHashMap<>();

    private AdmissionEngine engine(PromotionConfig promotion) {
        AdmissionConfig config = Fixtures.deployment().maxParticipants(2).promotion(promotion).build();
        return AdmissionEngines.builder(config).ticker(ticker)
                .roomFacts(room -> facts.getOrDefault(room, RoomFacts.unknown()))
                .promotionListener(events::add).build();
    }

    private AdmissionEngine moderated() {
        return engine(PromotionConfig.defaults());
    }

    private static Identity visitor(String session) {
        return Identity.ofSession(session);
    }

    private static Hand raise(AdmissionEngine engine, String session) {
        PromotionResult r = engine.promotions().raiseHand(new PromotionRequest(ROOM, visitor(session),
                Optional.of("Visitor " + session), Optional.of("v1")));
        return assertInstanceOf(PromotionResult.Done.class, r, r.toString()).hand();
    }

    private static PromotionError refusal(PromotionResult r) {
        return assertInstanceOf(PromotionResult.Refused.class, r, r.toString()).error();
    }

    /** Fills the main room (limit 2) with reported members, and puts one visitor on a node. */
    private static void fill(AdmissionEngine engine) {
        for (String key : List.of("m1", "m2")) {
            Decision d = engine.decide(Fixtures.join(key));
            assertEquals(Outcome.MAIN, d.outcome());
            engine.report(OccupancyEvent.MainJoined.of(ROOM, key));
        }
        assertEquals(Outcome.VISITOR, engine.decide(Fixtures.join("full")).outcome());
    }

    private static Decision join(AdmissionEngine engine, String session, String ticket) {
        return engine.decide(JoinRequest.builder(ROOM).sessionId(session).promotionTicket(ticket).build());
    }

    @Test
    void automaticModeApprovesAtOnceAndTheTicketSeatsTheVisitorInAFullRoom() {
        AdmissionEngine engine = engine(PromotionConfig.builder().autoAllow(true).build());
        fill(engine);
        Hand hand = raise(engine, "vis");
        assertEquals(HandState.APPROVED, hand.state());
        assertEquals(PromotionReason.AUTO_ALLOWED, hand.reason());
        assertEquals(List.of(PromotionEvent.HandDecided.class), events.stream().map(Object::getClass).toList());

        Decision d = join(engine, "vis", hand.ticket().orElseThrow().id());
        assertEquals(new Decision.Main(ROOM, "vis", Reason.PROMOTED, true, TicketCheck.REDEEMED), d);
        // It counts: 2 members + 1 promoted seat, over the limit of 2.
        assertEquals(3, engine.occupancy(ROOM).orElseThrow().mainOccupancy());
        // A retry keeps the seat rather than spending the ticket again.
        assertEquals(Reason.SEAT_HELD, join(engine, "vis", hand.ticket().get().id()).reason());
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "vis"));
        engine.report(new OccupancyEvent.MainLeft(ROOM, "vis"));
        Decision again = join(engine, "vis", hand.ticket().get().id());
        assertEquals(Outcome.VISITOR, again.outcome());
        assertEquals(TicketCheck.ALREADY_USED, again.ticket());
    }

    @Test
    void aRoomCanTurnAutomaticPromotionOnOrOff() {
        facts.put(ROOM, RoomFacts.builder().autoAllowPromotion(false).build());
        assertEquals(HandState.PENDING, raise(engine(PromotionConfig.builder().autoAllow(true).build()), "a").state());
        facts.put(ROOM, RoomFacts.builder().autoAllowPromotion(true).build());
        assertEquals(HandState.APPROVED, raise(moderated(), "b").state());
    }

    @Test
    void moderatorsAreForcePromotedWhenTheyRaiseAHand() {
        AdmissionEngine engine = moderated();
        PromotionResult byClaim = engine.promotions().raiseHand(PromotionRequest.of(ROOM, MODERATOR));
        assertEquals(PromotionReason.REQUESTER_IS_MODERATOR, ((PromotionResult.Done) byClaim).hand().reason());
        facts.put(ROOM, RoomFacts.builder().moderators(Set.of("group-a")).build());
        Identity listed = new Identity(Optional.of("alice"), Optional.of("group-a"), false, Optional.empty(),
                Optional.of("alice-session"), Optional.empty());
        Hand hand = ((PromotionResult.Done) engine.promotions().raiseHand(PromotionRequest.of(ROOM, listed))).hand();
        assertEquals(HandState.APPROVED, hand.state());
        assertEquals(PromotionReason.REQUESTER_IS_MODERATOR, hand.reason());
    }

    @Test
    void aModeratorApprovesOrDeniesAndOnlyAModeratorCan() {
        AdmissionEngine engine = moderated();
        fill(engine);
        Promotions promotions = engine.promotions();
        Hand a = raise(engine, "a");
        Hand b = raise(engine, "b");
        assertEquals(HandState.PENDING, a.state());
        assertEquals(a, raise(engine, "a"), "raising again returns the pending hand");
        assertEquals(2, events.stream().filter(e -> e instanceof PromotionEvent.HandRaised).count());

        assertEquals(PromotionError.NOT_MODERATOR, refusal(promotions.pending(ROOM, visitor("a"))));
        assertEquals(PromotionError.NOT_MODERATOR, refusal(promotions.approve(ROOM, visitor("a"), List.of(a.requestId()))));
        PromotionResult pending = promotions.pending(ROOM, MODERATOR);
        assertEquals(List.of(a, b), ((PromotionResult.Done) pending).hands());

        Hand approved = ((PromotionResult.Done) promotions.approve(ROOM, MODERATOR, List.of(a.requestId()))).hand();
        assertEquals(HandState.APPROVED, approved.state());
        assertEquals(PromotionReason.MODERATOR_APPROVED, approved.reason());
        Hand denied = ((PromotionResult.Done) promotions.deny(ROOM, MODERATOR, List.of(b.requestId()))).hand();
        assertEquals(HandState.DENIED, denied.state());
        assertEquals(Optional.of(approved), promotions.status(ROOM, a.requestId()));
        assertEquals(Optional.of(denied), promotions.status(ROOM, b.requestId()));
        assertEquals(PromotionError.UNKNOWN_REQUEST, refusal(promotions.approve(ROOM, MODERATOR, List.of(b.requestId()))));

        assertEquals(Reason.PROMOTED, join(engine, "a", approved.ticket().orElseThrow().id()).reason());
        assertEquals(Reason.STICKY_VISITORS, join(engine, "b", null).reason());
    }

    @Test
    void aListedModeratorWithoutTheClaimCanDecide() {
        AdmissionEngine engine = moderated();
        facts.put(ROOM, RoomFacts.builder().moderators(Set.of("bob")).build());
        Hand a = raise(engine, "a");
        Identity bob = new Identity(Optional.of("bob"), Optional.empty(), false, Optional.empty(), Optional.of("bob-s"),
                Optional.empty());
        assertInstanceOf(PromotionResult.Done.class, engine.promotions().approve(ROOM, bob, List.of(a.requestId())));
    }

    @Test
    void approvalIsAllOrNothingAndNeverOfOnesOwnHand() {
        AdmissionEngine engine = moderated();
        Hand a = raise(engine, "a");
        Promotions promotions = engine.promotions();
        assertEquals(PromotionError.UNKNOWN_REQUEST,
                refusal(promotions.approve(ROOM, MODERATOR, List.of(a.requestId(), "no-such-hand"))));
        assertEquals(HandState.PENDING, promotions.status(ROOM, a.requestId()).orElseThrow().state());
        assertEquals(PromotionError.UNKNOWN_REQUEST,
                refusal(promotions.approve(OTHER_ROOM, MODERATOR, List.of(a.requestId()))), "wrong room");

        // A member made moderator after raising its hand still cannot approve it.
        Identity selfModerator = new Identity(Optional.empty(), Optional.empty(), true, Optional.empty(),
                Optional.of("a"), Optional.empty());
        assertEquals(PromotionError.SELF_APPROVAL, refusal(promotions.approve(ROOM, selfModerator, List.of(a.requestId()))));
        assertEquals(List.of(), ((PromotionResult.Done) promotions.approveAll(ROOM, selfModerator)).hands());
        assertEquals(HandState.PENDING, promotions.status(ROOM, a.requestId()).orElseThrow().state());
    }

    @Test
    void aLoweredHandIsWithdrawnAndOnlyByItsVisitor() {
        AdmissionEngine engine = moderated();
        Hand a = raise(engine, "a");
        Promotions promotions = engine.promotions();
        assertEquals(PromotionError.NOT_YOUR_REQUEST, refusal(promotions.lowerHand(ROOM, a.requestId(), visitor("b"))));
        Hand lowered = ((PromotionResult.Done) promotions.lowerHand(ROOM, a.requestId(), visitor("a"))).hand();
        assertEquals(HandState.WITHDRAWN, lowered.state());
        assertEquals(PromotionReason.HAND_LOWERED, lowered.reason());
        assertEquals(List.of(), ((PromotionResult.Done) promotions.pending(ROOM, MODERATOR)).hands());
        assertEquals(PromotionError.UNKNOWN_REQUEST, refusal(promotions.lowerHand(ROOM, a.requestId(), visitor("a"))));
        assertEquals(PromotionError.UNKNOWN_REQUEST,
                refusal(promotions.approve(ROOM, MODERATOR, List.of(a.requestId()))));
    }

    @Test
    void aVisitorWhoLeavesWithdrawsItsHand() {
        AdmissionEngine engine = moderated();
        fill(engine);
        Decision v = engine.decide(Fixtures.join("a"));
        engine.report(new OccupancyEvent.VisitorJoined(ROOM, Fixtures.nodeOf(v), "a"));
        Hand a = raise(engine, "a");
        engine.report(new OccupancyEvent.VisitorLeft(ROOM, Fixtures.nodeOf(v), "a"));
        Hand after = engine.promotions().status(ROOM, a.requestId()).orElseThrow();
        assertEquals(HandState.WITHDRAWN, after.state());
        assertEquals(PromotionReason.VISITOR_LEFT, after.reason());
    }

    @Test
    void ticketsExpireAndAreThenTold() {
        AdmissionEngine engine = engine(PromotionConfig.builder().autoAllow(true).ticketLifetime(Duration.ofMinutes(5))
                .build());
        fill(engine);
        String ticket = raise(engine, "a").ticket().orElseThrow().id();
        ticker.advance(Duration.ofMinutes(5));
        Decision late = join(engine, "a", ticket);
        assertEquals(Outcome.VISITOR, late.outcome());
        assertEquals(TicketCheck.EXPIRED, late.ticket());
        ticker.advance(Duration.ofMinutes(6));
        engine.cleanUp();
        assertEquals(TicketCheck.UNKNOWN, join(engine, "a", ticket).ticket());
    }

    @Test
    void aStolenTicketDoesNotWorkAndStaysValidForItsOwner() {
        AdmissionEngine engine = engine(PromotionConfig.builder().autoAllow(true).build());
        fill(engine);
        String ticket = raise(engine, "owner").ticket().orElseThrow().id();
        Decision theft = join(engine, "thief", ticket);
        assertEquals(Outcome.VISITOR, theft.outcome());
        assertEquals(TicketCheck.OTHER_IDENTITY, theft.ticket());
        Decision elsewhere = engine.decide(JoinRequest.builder(OTHER_ROOM).sessionId("owner").promotionTicket(ticket)
                .build());
        assertEquals(TicketCheck.OTHER_ROOM, elsewhere.ticket());
        assertEquals(Reason.UNDER_LIMIT, elsewhere.reason());
        assertEquals(TicketCheck.UNKNOWN, join(engine, "owner2", "made-up").ticket());
        assertEquals(Reason.PROMOTED, join(engine, "owner", ticket).reason());
    }

    @Test
    void theApprovedIdentityIsPromotedWithoutPresentingTheTicket() {
        AdmissionEngine engine = engine(PromotionConfig.builder().autoAllow(true).build());
        fill(engine);
        raise(engine, "a");
        Decision d = join(engine, "a", null);
        assertEquals(Reason.PROMOTED, d.reason());
        assertEquals(TicketCheck.REDEEMED, d.ticket());
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "a"));
        engine.report(new OccupancyEvent.MainLeft(ROOM, "a"));
        assertEquals(Reason.STICKY_VISITORS, join(engine, "a", null).reason(), "single use");
    }

    @Test
    void aVisitorRequestKeepsTheTicketForLater() {
        AdmissionEngine engine = engine(PromotionConfig.builder().autoAllow(true).build());
        fill(engine);
        String ticket = raise(engine, "a").ticket().orElseThrow().id();
        Decision asVisitor = engine.decide(JoinRequest.builder(ROOM).sessionId("a").visitorRequested(true)
                .promotionTicket(ticket).build());
        assertEquals(Reason.VISITOR_REQUESTED, asVisitor.reason());
        assertEquals(TicketCheck.NOT_NEEDED, asVisitor.ticket());
        assertEquals(Reason.PROMOTED, join(engine, "a", ticket).reason());
    }

    @Test
    void aDemotedMemberFreesItsSeatAndGoesToANode() {
        AdmissionEngine engine = moderated();
        fill(engine);
        Promotions promotions = engine.promotions();
        assertEquals(PromotionError.NOT_MODERATOR, refusal(promotions.demote(ROOM, visitor("x"), "m1")));
        assertEquals(PromotionError.NOT_IN_MAIN, refusal(promotions.demote(ROOM, MODERATOR, "nobody")));
        assertInstanceOf(PromotionResult.Done.class, promotions.demote(ROOM, MODERATOR, "m1"));
        assertEquals(1, engine.occupancy(ROOM).orElseThrow().mainOccupancy());
        assertTrue(events.contains(new PromotionEvent.Demoted(ROOM, "m1")));
        // The room has a free seat now, but the demoted member is not given it...
        Decision d = join(engine, "m1", null);
        assertEquals(Outcome.VISITOR, d.outcome());
        assertEquals(Reason.DEMOTED, d.reason());
        // ...until the demotion ends or a moderator promotes it again.
        Hand hand = raise(engine, "m1");
        promotions.approve(ROOM, MODERATOR, List.of(hand.requestId()));
        assertEquals(Reason.PROMOTED, join(engine, "m1", null).reason());
    }

    @Test
    void demotionEndsAfterItsLifetime() {
        AdmissionEngine engine = engine(PromotionConfig.builder().demotionLifetime(Duration.ofMinutes(10)).build());
        engine.decide(Fixtures.join("m1"));
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "m1"));
        engine.promotions().demote(ROOM, MODERATOR, "m1");
        assertEquals(Reason.DEMOTED, join(engine, "m1", null).reason());
        ticker.advance(Duration.ofMinutes(10)); // the redirect expired too: no visitors, a free seat
        engine.cleanUp();
        assertEquals(Reason.UNDER_LIMIT, join(engine, "m1", null).reason());
    }

    @Test
    void destroyingTheRoomDropsHandsAndTickets() throws Exception {
        AdmissionEngine engine = moderated();
        fill(engine);
        Hand pending = raise(engine, "a");
        Hand approved = raise(engine, "b");
        engine.promotions().approve(ROOM, MODERATOR, List.of(approved.requestId()));
        String ticket = engine.promotions().status(ROOM, approved.requestId()).orElseThrow().ticket().orElseThrow().id();
        CompletableFuture<Hand> waiting = engine.promotions().awaitDecision(ROOM, pending.requestId());

        engine.report(new OccupancyEvent.RoomDestroyed(ROOM));
        Hand dropped = waiting.get(5, TimeUnit.SECONDS);
        assertEquals(HandState.EXPIRED, dropped.state());
        assertEquals(PromotionReason.ROOM_DESTROYED, dropped.reason());
        Decision d = join(engine, "b", ticket);
        assertEquals(TicketCheck.UNKNOWN, d.ticket());
        assertEquals(Reason.UNDER_LIMIT, d.reason(), "a fresh room");
        assertEquals(Optional.empty(), engine.promotions().status(ROOM, pending.requestId()));
    }

    @Test
    void pendingHandsAndRaisesAreBounded() {
        AdmissionEngine engine = engine(PromotionConfig.builder().maxPendingPerRoom(3)
                .maxRequestsPerVisitorPerMinute(2).pendingLifetime(Duration.ofMinutes(30)).build());
        raise(engine, "a");
        raise(engine, "b");
        raise(engine, "c");
        Promotions promotions = engine.promotions();
        assertEquals(PromotionError.TOO_MANY_PENDING,
                refusal(promotions.raiseHand(PromotionRequest.of(ROOM, visitor("d")))));
        assertEquals(PromotionError.TOO_MANY_PENDING,
                refusal(promotions.raiseHand(PromotionRequest.of(ROOM, visitor("d")))));
        assertEquals(PromotionError.RATE_LIMITED, refusal(promotions.raiseHand(PromotionRequest.of(ROOM, visitor("d")))));
        ticker.advance(Duration.ofMinutes(1));
        assertEquals(PromotionError.TOO_MANY_PENDING,
                refusal(promotions.raiseHand(PromotionRequest.of(ROOM, visitor("d")))), "a new minute");
        ticker.advance(Duration.ofMinutes(30));
        Hand d = raise(engine, "d");
        assertEquals(HandState.PENDING, d.state(), "the old hands expired");
        assertEquals(1, ((PromotionResult.Done) promotions.pending(ROOM, MODERATOR)).hands().size());
        assertEquals(PromotionReason.PENDING_EXPIRED, events.stream()
                .filter(e -> e instanceof PromotionEvent.HandDecided).map(e -> ((PromotionEvent.HandDecided) e).hand())
                .findFirst().orElseThrow().reason());
    }

    @Test
    void badRaisesAreRefusedWithAReason() {
        AdmissionEngine engine = moderated();
        Promotions promotions = engine.promotions();
        assertEquals(PromotionError.NO_IDENTITY, refusal(promotions.raiseHand(PromotionRequest.of(ROOM, Identity.anonymous()))));
        assertEquals(PromotionError.UNKNOWN_NODE, refusal(promotions.raiseHand(new PromotionRequest(ROOM, visitor("a"),
                Optional.empty(), Optional.of("v99")))));
        engine.decide(Fixtures.join("m"));
        assertEquals(PromotionError.ALREADY_IN_MAIN, refusal(promotions.raiseHand(PromotionRequest.of(ROOM, visitor("m")))));
        assertThrows(NullPointerException.class, () -> promotions.raiseHand(null));
    }

    @Test
    void awaitingADecisionCompletesOnApprovalAndForgetsAbandonedWaiters() throws Exception {
        AdmissionEngine engine = moderated();
        Hand a = raise(engine, "a");
        Promotions promotions = engine.promotions();
        CompletableFuture<Hand> abandoned = promotions.awaitDecision(ROOM, a.requestId()).orTimeout(10, TimeUnit.MILLISECONDS);
        ExecutionException timeout = assertThrows(ExecutionException.class, () -> abandoned.get(5, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, timeout.getCause());
        CompletableFuture<Hand> waiting = promotions.awaitDecision(ROOM, a.requestId());
        assertFalse(waiting.isDone());
        promotions.approve(ROOM, MODERATOR, List.of(a.requestId()));
        assertEquals(HandState.APPROVED, waiting.get(5, TimeUnit.SECONDS).state());
        assertEquals(HandState.APPROVED, promotions.awaitDecision(ROOM, a.requestId()).getNow(null).state());
        assertTrue(promotions.awaitDecision(ROOM, "nope").isCompletedExceptionally());
    }

    @Test
    void approveAllTakesExactlyTheHandsRaisedConcurrentlyAndEachTicketWorksOnce() throws Exception {
        AdmissionEngine engine = moderated();
        fill(engine);
        int hands = 1_000;
        Map<String, String> ticketByVisitor = new ConcurrentHashMap<>();
        AtomicInteger approvedWhileRaising = new AtomicInteger();
        // 16 threads raise 1,000 hands while a moderator approves all, again and again (every 21st call).
        Fixtures.concurrently(16, hands / 20 * 21, i -> {
            if (i % 21 == 20) {
                PromotionResult r = engine.promotions().approveAll(ROOM, MODERATOR);
                for (Hand h : ((PromotionResult.Done) r).hands()) {
                    approvedWhileRaising.incrementAndGet();
                    assertTrue(ticketByVisitor.putIfAbsent(h.memberKey(), h.ticket().orElseThrow().id()) == null,
                            "approved twice: " + h.memberKey());
                }
            } else {
                raise(engine, "h" + i);
            }
        });
        for (Hand h : ((PromotionResult.Done) engine.promotions().approveAll(ROOM, MODERATOR)).hands()) {
            assertTrue(ticketByVisitor.putIfAbsent(h.memberKey(), h.ticket().orElseThrow().id()) == null);
        }
        assertEquals(hands, ticketByVisitor.size());
        assertEquals(List.of(), ((PromotionResult.Done) engine.promotions().pending(ROOM, MODERATOR)).hands());
        assertEquals(hands, ticketByVisitor.values().stream().distinct().count());

        // Every visitor tries its ticket twice, concurrently: exactly one use each.
        List<String> visitors = List.copyOf(ticketByVisitor.keySet());
        AtomicInteger redeemed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        Fixtures.concurrently(16, hands * 2, i -> {
            String v = visitors.get(i % hands);
            Decision d = join(engine, v, ticketByVisitor.get(v));
            if (d.ticket() == TicketCheck.REDEEMED) {
                redeemed.incrementAndGet();
            } else {
                assertEquals(Reason.SEAT_HELD, d.reason(), d.toString());
                refused.incrementAndGet();
            }
        });
        assertEquals(hands, redeemed.get());
        assertEquals(hands, refused.get());
        assertEquals(2 + hands, engine.occupancy(ROOM).orElseThrow().mainOccupancy());
    }
}

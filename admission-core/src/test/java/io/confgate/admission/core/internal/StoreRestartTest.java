package io.confgate.admission.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.Identity;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.NodeState;
import io.confgate.admission.Reason;
import io.confgate.admission.TicketCheck;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.core.AdmissionEngines;
import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.HandState;
import io.confgate.admission.promotion.PromotionConfig;
import io.confgate.admission.promotion.PromotionRequest;
import io.confgate.admission.promotion.PromotionResult;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/** Restarts on the same store: after a clean stop, after a simulated crash, after time has passed. */
class StoreRestartTest {
    private static final EntityBareJid ROOM = JoinRequest.parseRoom("townhall@conference.meet.jitsi");

    @TempDir
    Path dir;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong wallMillis = new AtomicLong(1_800_000_000_000L);
    private final List<NodeLinkEvent> links = new CopyOnWriteArrayList<>();

    private final Clock wall = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(wallMillis.get());
        }
    };

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        wallMillis.addAndGet(d.toMillis());
    }

    private DefaultAdmissionEngine start() {
        List<VisitorNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            nodes.add(VisitorNode.conventional("v" + i, "meet.jitsi", 2000));
        }
        AdmissionConfig config = AdmissionConfig.builder().enabled(true).maxParticipants(30).nodes(nodes)
                .promotion(PromotionConfig.builder().autoAllow(false).build()).build();
        // A new process: its ticker starts anywhere.
        nanos.addAndGet(123_456_789_000L);
        return (DefaultAdmissionEngine) AdmissionEngines.builder(config).ticker(nanos::get).wallClock(wall)
                .nodeLinkListener(links::add).store(dir, Duration.ofSeconds(1)).build();
    }

    private static JoinRequest join(String session) {
        return JoinRequest.builder(ROOM).sessionId(session).build();
    }

    private static Identity moderator() {
        return new Identity(Optional.of("host"), Optional.empty(), true, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    @Test
    void afterACleanStopEverythingAUserWouldMissIsBack() throws Exception {
        DefaultAdmissionEngine before = start();
        for (int i = 0; i < 30; i++) {
            assertEquals(Reason.UNDER_LIMIT, before.decide(join("s" + i)).reason());
        }
        for (int i = 0; i < 10; i++) {
            before.report(OccupancyEvent.MainJoined.of(ROOM, "s" + i)); // 10 joined, 20 seats still held
        }
        assertEquals("v1", ((Decision.Visitor) before.decide(join("viewer"))).node().id());
        before.report(new OccupancyEvent.VisitorJoined(ROOM, "v1", "viewer"));
        before.decide(join("pending-viewer")); // a redirect still held
        Hand waiting = hand(before.promotions().raiseHand(new PromotionRequest(ROOM, Identity.ofSession("w"),
                Optional.of("W"), Optional.of("v1"))));
        Hand approved = hand(before.promotions().raiseHand(new PromotionRequest(ROOM, Identity.ofSession("a"),
                Optional.empty(), Optional.of("v1"))));
        approved = ((PromotionResult.Done) before.promotions().approve(ROOM, moderator(),
                List.of(approved.requestId()))).hands().get(0);
        String ticket = approved.ticket().orElseThrow().id();
        before.promotions().demote(ROOM, moderator(), "s3");
        before.setNodeState("v2", NodeState.DRAINING);
        before.close();

        links.clear();
        DefaultAdmissionEngine after = start();
        var occupancy = after.occupancy(ROOM).orElseThrow();
        assertEquals(9, occupancy.mainMembers(), "ten joined, one demoted");
        assertEquals(20, occupancy.reservedSeats(), "the held seats, with their deadlines");
        assertEquals(1, occupancy.visitors());
        assertEquals(1, occupancy.pendingVisitors());
        assertEquals(2, after.nodeLoads().get(0).load(), "the node's load is rebuilt from the room");
        assertEquals(NodeState.DRAINING, after.nodeLoads().get(1).state());
        // The link comes back prepared (the linker makes it again on the wire); the 20 restored seats are within
        // their grace, so it is connected once they are in or over it.
        assertEquals(List.of(NodeLinkEvent.Prepare.class), links.stream().map(Object::getClass).toList(),
                "the link is sent again, so XMPP rejoins");
        assertEquals(Reason.STICKY_VISITORS, after.decide(join("late")).reason(), "still full, still visitors");
        assertEquals(HandState.PENDING, after.promotions().status(ROOM, waiting.requestId()).orElseThrow().state());
        Decision promoted = after.decide(JoinRequest.builder(ROOM).sessionId("a").promotionTicket(ticket).build());
        assertEquals(Reason.PROMOTED, promoted.reason());
        assertEquals(TicketCheck.REDEEMED, promoted.ticket());
        Decision again = after.decide(JoinRequest.builder(ROOM).sessionId("b").promotionTicket(ticket).build());
        assertEquals(TicketCheck.OTHER_IDENTITY, again.ticket());
        assertEquals(Reason.DEMOTED, after.decide(join("s3")).reason(), "a demoted member stays a visitor");
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

    private static Hand hand(PromotionResult result) {
        return ((PromotionResult.Done) result).hands().get(0);
    }

    @SuppressWarnings("unused")
    private static EntityBareJid jid(String s) throws Exception {
        return JidCreate.entityBareFrom(s);
    }
}

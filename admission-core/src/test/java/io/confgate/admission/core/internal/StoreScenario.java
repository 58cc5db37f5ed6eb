package io.confgate.admission.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.Decision;
import io.confgate.admission.Identity;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.NodeState;
import io.confgate.admission.Reason;
import io.confgate.admission.TicketCheck;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.core.AdmissionEngines;
import io.confgate.admission.event.NodeLinkListener;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.HandState;
import io.confgate.admission.promotion.PromotionConfig;
import io.confgate.admission.promotion.PromotionRequest;
import io.confgate.admission.promotion.PromotionResult;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.LongSupplier;
import org.jxmpp.jid.EntityBareJid;

/**
 * One room with everything a store keeps (main members, held seats, a redirect, a visitor, a link, Prosody's
 * report, pending and decided hands, a ticket, a demotion, a node state), written by {@link #fill} and checked
 * after a restart by {@link #check}. {@link #main} writes it as a store fixture: the fixtures under
 * {@code src/test/resources/store-fixtures/} were written by it, each by the build its name says, and
 * {@code StoreFormatTest} reads every one of them in every build.
 */
final class StoreScenario {
    static final EntityBareJid ROOM = JoinRequest.parseRoom("townhall@conference.meet.jitsi");
    /** The wall-clock time a fixture was written at: a reader sets its clock a second later. */
    static final long FIXTURE_WALL_MILLIS = 1_800_000_000_000L;

    private StoreScenario() {
    }

    static AdmissionConfig config() {
        List<VisitorNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            nodes.add(VisitorNode.conventional("v" + i, "meet.jitsi", 2000));
        }
        return AdmissionConfig.builder().enabled(true).maxParticipants(30).nodes(nodes)
                .promotion(PromotionConfig.builder().autoAllow(false).build()).build();
    }

    static DefaultAdmissionEngine engine(Path dir, LongSupplier nanos, LongSupplier wallMillis,
                                         NodeLinkListener links) {
        return (DefaultAdmissionEngine) AdmissionEngines.builder(config()).ticker(nanos::getAsLong)
                .wallClock(clock(wallMillis)).nodeLinkListener(links).store(dir, Duration.ofSeconds(1)).build();
    }

    static JoinRequest join(String session) {
        return JoinRequest.builder(ROOM).sessionId(session).build();
    }

    static Identity moderator() {
        return new Identity(Optional.of("host"), Optional.empty(), true, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** Fills the room; returns the ids a check needs (they are random). */
    static Properties fill(DefaultAdmissionEngine engine) {
        for (int i = 0; i < 30; i++) {
            assertEquals(Reason.UNDER_LIMIT, engine.decide(join("s" + i)).reason());
        }
        for (int i = 0; i < 10; i++) {
            engine.report(OccupancyEvent.MainJoined.of(ROOM, "s" + i)); // 10 joined, 20 seats still held
        }
        assertEquals("v1", ((Decision.Visitor) engine.decide(join("viewer"))).node().id());
        engine.report(new OccupancyEvent.VisitorJoined(ROOM, "v1", "viewer"));
        engine.decide(join("pending-viewer")); // a redirect still held
        Hand waiting = hand(engine.promotions().raiseHand(new PromotionRequest(ROOM, Identity.ofSession("w"),
                Optional.of("W"), Optional.of("v1"))));
        Hand approved = hand(engine.promotions().raiseHand(new PromotionRequest(ROOM, Identity.ofSession("a"),
                Optional.empty(), Optional.of("v1"))));
        approved = ((PromotionResult.Done) engine.promotions().approve(ROOM, moderator(),
                List.of(approved.requestId()))).hands().get(0);
        engine.promotions().demote(ROOM, moderator(), "s3");
        engine.setNodeState("v2", NodeState.DRAINING);
        Properties ids = new Properties();
        ids.setProperty("waiting", waiting.requestId());
        ids.setProperty("approved", approved.requestId());
        ids.setProperty("ticket", approved.ticket().orElseThrow().id());
        return ids;
    }

    /** What a user would miss if it were lost, checked on the restarted engine. */
    static void check(DefaultAdmissionEngine engine, Properties ids) {
        var occupancy = engine.occupancy(ROOM).orElseThrow();
        assertEquals(9, occupancy.mainMembers(), "ten joined, one demoted");
        assertEquals(20, occupancy.reservedSeats(), "the held seats, with their deadlines");
        assertEquals(1, occupancy.visitors());
        assertEquals(1, occupancy.pendingVisitors());
        assertEquals(2, engine.nodeLoads().get(0).load(), "the node's load is rebuilt from the room");
        assertEquals(NodeState.DRAINING, engine.nodeLoads().get(1).state());
        assertEquals(Reason.STICKY_VISITORS, engine.decide(join("late")).reason(), "still full, still visitors");
        assertEquals(HandState.PENDING, engine.promotions().status(ROOM, ids.getProperty("waiting")).orElseThrow()
                .state());
        assertEquals(HandState.APPROVED, engine.promotions().status(ROOM, ids.getProperty("approved")).orElseThrow()
                .state());
        String ticket = ids.getProperty("ticket");
        Decision promoted = engine.decide(JoinRequest.builder(ROOM).sessionId("a").promotionTicket(ticket).build());
        assertEquals(Reason.PROMOTED, promoted.reason());
        assertEquals(TicketCheck.REDEEMED, promoted.ticket());
        Decision again = engine.decide(JoinRequest.builder(ROOM).sessionId("b").promotionTicket(ticket).build());
        assertEquals(TicketCheck.OTHER_IDENTITY, again.ticket());
        assertEquals(Reason.DEMOTED, engine.decide(join("s3")).reason(), "a demoted member stays a visitor");
    }

    private static Hand hand(PromotionResult result) {
        return ((PromotionResult.Done) result).hands().get(0);
    }

    static Clock clock(LongSupplier millis) {
        return new Clock() {
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
                return Instant.ofEpochMilli(millis.getAsLong());
            }
        };
    }

    static Properties ids(Path fixture) throws IOException {
        Properties ids = new Properties();
        try (Reader in = Files.newBufferedReader(fixture.resolve("ids.properties"))) {
            ids.load(in);
        }
        return ids;
    }

    /**
     * Writes the scenario's store into {@code args[0]} (created), with the ids beside it, at
     * {@link #FIXTURE_WALL_MILLIS}. Run from the module with the test classpath, e.g.
     * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) ...StoreScenario DIR}.
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        DefaultAdmissionEngine engine = engine(dir, () -> 5_000_000_000L, () -> FIXTURE_WALL_MILLIS, e -> { });
        Properties ids = fill(engine);
        engine.close();
        try (Writer out = Files.newBufferedWriter(dir.resolve("ids.properties"))) {
            ids.store(out, "ids of the scenario's hands and ticket (StoreScenario.fill)");
        }
    }
}

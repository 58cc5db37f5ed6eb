package io.confgate.admission.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.BalancingPolicy;
import io.confgate.admission.Decision;
import io.confgate.admission.Identity;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.NodeLoad;
import io.confgate.admission.NodeState;
import io.confgate.admission.Outcome;
import io.confgate.admission.Reason;
import io.confgate.admission.RoomOccupancy;
import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.testing.Concurrently;
import io.confgate.admission.promotion.PromotionRequest;
import io.confgate.admission.promotion.PromotionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.jxmpp.jid.EntityBareJid;

/**
 * The reference deployment under load: 8 visitor nodes of 2000, max-participants 30, joins from 16
 * threads at once. Every count is checked exactly, not approximately.
 */
class TenThousandJoinSimulationTest {
    private static final int THREADS = 16;
    private static final int JOINS = 10_000;
    private static final EntityBareJid ROOM = Fixtures.ROOM;

    private final FakeTicker ticker = new FakeTicker();
    private final Fixtures.LinkRecorder links = new Fixtures.LinkRecorder();

    private AdmissionEngine engine(AdmissionConfig config) {
        return AdmissionEngines.builder(config).ticker(ticker).nodeLinkListener(links).build();
    }

    private static void concurrently(int count, Concurrently.IntTask task) throws Exception {
        Fixtures.concurrently(THREADS, count, task);
    }

    private static void reportJoin(AdmissionEngine engine, Decision d) {
        if (d instanceof Decision.Visitor v) {
            engine.report(new OccupancyEvent.VisitorJoined(d.room(), v.node().id(), d.memberKey()));
        } else if (d instanceof Decision.Main) {
            engine.report(OccupancyEvent.MainJoined.of(d.room(), d.memberKey()));
        }
    }

    private long connects() {
        return links.events.stream().filter(e -> e instanceof NodeLinkEvent.Connect).count();
    }

    private static void assertNoNodeOverCapacity(AdmissionEngine engine) {
        for (NodeLoad load : engine.nodeLoads()) {
            assertTrue(load.load() <= load.capacity(), load.toString());
            assertEquals(0, load.overflowed(), load.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(BalancingPolicy.class)
    void tenThousandJoinsToOneConference(BalancingPolicy policy) throws Exception {
        AdmissionEngine engine = engine(Fixtures.deployment().balancing(policy).maxVisitorsPerNode(2000).build());
        Map<Outcome, AtomicInteger> outcomes = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, new AtomicInteger());
        }
        concurrently(JOINS, i -> {
            Decision d = engine.decide(Fixtures.join("p" + i));
            outcomes.get(d.outcome()).incrementAndGet();
            reportJoin(engine, d);
        });

        assertEquals(30, outcomes.get(Outcome.MAIN).get());
        assertEquals(9_970, outcomes.get(Outcome.VISITOR).get());
        RoomOccupancy room = engine.occupancy(ROOM).orElseThrow();
        assertEquals(30, room.mainMembers());
        assertEquals(0, room.reservedSeats());
        assertEquals(9_970, room.visitors());
        assertEquals(0, room.pendingVisitors());
        assertNoNodeOverCapacity(engine);
        int[] loads = engine.nodeLoads().stream().mapToInt(NodeLoad::load).toArray();
        if (policy == BalancingPolicy.PACK) {
            // Packed: as few nodes as the conference needs, each filled before the next is opened.
            assertEquals(List.of(2000, 2000, 2000, 2000, 1970, 0, 0, 0), toList(loads));
            assertEquals(5, connects(), "one connect-vnode per node used");
        } else {
            // Spread: every node within one of every other.
            int min = java.util.Arrays.stream(loads).min().orElseThrow();
            int max = java.util.Arrays.stream(loads).max().orElseThrow();
            assertTrue(max - min <= 1, toList(loads).toString());
            assertEquals(8, connects());
        }
        // Each node: its room made, then linked once the 30 main members are in; nothing unlinked.
        assertEquals(connects(), links.events.stream().filter(e -> e instanceof NodeLinkEvent.Prepare).count());
        assertTrue(links.events.stream().noneMatch(e -> e instanceof NodeLinkEvent.Disconnect));
    }

    @Test
    void jicofoDefaultPackOpensEveryNodeAtMaxVisitorsPerNodeThenBalances() throws Exception {
        AdmissionEngine engine = engine(Fixtures.deployment().build()); // Jicofo default max-visitors-per-node 500
        concurrently(JOINS, i -> reportJoin(engine, engine.decide(Fixtures.join("p" + i))));
        int[] loads = engine.nodeLoads().stream().mapToInt(NodeLoad::load).toArray();
        // 9,970 over 8 nodes: 1246 or 1247 each.
        assertEquals(9_970, java.util.Arrays.stream(loads).sum());
        for (int load : loads) {
            assertTrue(load == 1246 || load == 1247, toList(loads).toString());
        }
        assertNoNodeOverCapacity(engine);
    }

    /**
     * The full conference of the deployment notes, then promotion: 100 of its visitors raise a hand at
     * once, a moderator approves them, and they rejoin concurrently while the other visitors stay put.
     */
    @Test
    void oneHundredApprovedVisitorsRejoinTheFullMainRoom() throws Exception {
        AdmissionEngine engine = engine(Fixtures.deployment().maxVisitorsPerNode(2000).build());
        Map<String, String> nodeOfVisitor = new ConcurrentHashMap<>();
        concurrently(JOINS, i -> {
            Decision d = engine.decide(Fixtures.join("p" + i));
            if (d instanceof Decision.Visitor v) {
                nodeOfVisitor.put(d.memberKey(), v.node().id());
            }
            reportJoin(engine, d);
        });
        assertEquals(9_970, nodeOfVisitor.size());
        List<String> visitors = nodeOfVisitor.keySet().stream().sorted().toList();
        List<String> promoted = visitors.subList(0, 100);
        List<String> others = visitors.subList(100, 1_100);
        Map<String, String> requestIds = new ConcurrentHashMap<>();
        concurrently(promoted.size(), i -> {
            String key = promoted.get(i);
            PromotionResult r = engine.promotions().raiseHand(new PromotionRequest(ROOM, Identity.ofSession(key), Optional.empty(), Optional.of(nodeOfVisitor.get(key))));
            requestIds.put(key, ((PromotionResult.Done) r).hand().requestId());
        });
        Identity moderator = new Identity(Optional.of("host"), Optional.empty(), true, Optional.empty(),
                Optional.of("host-session"), Optional.empty());
        PromotionResult approved = engine.promotions().approve(ROOM, moderator, requestIds.values());
        assertEquals(100, ((PromotionResult.Done) approved).hands().size());

        // The approved rejoin (their next request carries no ticket: the identity holds the approval),
        // while 1,000 requests from visitors who were not approved are answered at the same time.
        AtomicInteger promotedCount = new AtomicInteger();
        concurrently(1_100, i -> {
            String key = i < 100 ? promoted.get(i) : others.get(i - 100);
            Decision d = engine.decide(Fixtures.join(key));
            if (i < 100) {
                assertEquals(Reason.PROMOTED, d.reason(), d.toString());
                promotedCount.incrementAndGet();
                engine.report(new OccupancyEvent.VisitorLeft(ROOM, nodeOfVisitor.get(key), key));
                engine.report(OccupancyEvent.MainJoined.of(ROOM, key));
            } else {
                assertEquals(Outcome.VISITOR, d.outcome(), d.toString());
                assertEquals(nodeOfVisitor.get(key), Fixtures.nodeOf(d), "stays on its node");
            }
        });
        assertEquals(100, promotedCount.get());
        RoomOccupancy room = engine.occupancy(ROOM).orElseThrow();
        assertEquals(130, room.mainMembers());
        assertEquals(0, room.reservedSeats());
        assertEquals(9_870, room.visitors());
        assertEquals(0, room.pendingVisitors());
        assertEquals(9_870, engine.nodeLoads().stream().mapToInt(NodeLoad::load).sum());
        assertEquals(List.of(), ((PromotionResult.Done) engine.promotions().pending(ROOM, moderator)).hands());
        assertNoNodeOverCapacity(engine);
    }

    /**
     * The same 10k joins with churn: a node goes down mid-run, a tenth of the redirected never arrive
     * (their redirects expire), a seventh of the visitors leave and come back, and main participants who
     * never arrive free their seats.
     */
    @Test
    void leavesRejoinsExpiryAndANodeGoingDownKeepEveryCountExact() throws Exception {
        AdmissionEngine engine = engine(Fixtures.deployment().balancing(BalancingPolicy.SPREAD).build());
        AtomicBoolean v3Down = new AtomicBoolean();
        AtomicInteger mainDecisions = new AtomicInteger();
        AtomicInteger ghostSeats = new AtomicInteger();
        AtomicInteger ghosts = new AtomicInteger();
        AtomicInteger sentToV3AfterDown = new AtomicInteger();
        Map<String, String> visitorNode = new ConcurrentHashMap<>();
        AtomicIntegerArray joinedPerNode = new AtomicIntegerArray(8);

        concurrently(JOINS, i -> {
            if (i == JOINS / 2) {
                engine.setNodeState("v3", NodeState.DOWN);
                v3Down.set(true);
            }
            boolean downBefore = v3Down.get();
            String key = "p" + i;
            Decision d = engine.decide(Fixtures.join(key));
            if (d instanceof Decision.Main) {
                mainDecisions.incrementAndGet();
                if (i % 4 == 0) {
                    ghostSeats.incrementAndGet(); // never arrives; the seat must expire
                    return;
                }
                engine.report(OccupancyEvent.MainJoined.of(ROOM, key));
                return;
            }
            String node = ((Decision.Visitor) d).node().id();
            if (downBefore && node.equals("v3")) {
                sentToV3AfterDown.incrementAndGet();
            }
            if (i % 10 == 0) {
                ghosts.incrementAndGet(); // redirected but never arrives
                return;
            }
            engine.report(new OccupancyEvent.VisitorJoined(ROOM, node, key));
            if (i % 7 == 0) {
                engine.report(new OccupancyEvent.VisitorLeft(ROOM, node, key));
                Decision again = engine.decide(Fixtures.join(key));
                node = ((Decision.Visitor) again).node().id(); // sticky: still a visitor
                engine.report(new OccupancyEvent.VisitorJoined(ROOM, node, key));
            }
            visitorNode.put(key, node);
            joinedPerNode.incrementAndGet(Integer.parseInt(node.substring(1)) - 1);
        });

        assertEquals(0, sentToV3AfterDown.get(), "no new visitor may go to a node after it is marked down");
        assertEquals(30, mainDecisions.get());
        RoomOccupancy before = engine.occupancy(ROOM).orElseThrow();
        assertEquals(30 - ghostSeats.get(), before.mainMembers());
        assertEquals(ghostSeats.get(), before.reservedSeats());
        assertEquals(visitorNode.size(), before.visitors());
        assertEquals(ghosts.get(), before.pendingVisitors());
        assertNoNodeOverCapacity(engine);

        ticker.advance(Duration.ofSeconds(61));
        engine.cleanUp();

        RoomOccupancy after = engine.occupancy(ROOM).orElseThrow();
        assertEquals(30 - ghostSeats.get(), after.mainMembers());
        assertEquals(0, after.reservedSeats(), "unconfirmed seats expired");
        assertEquals(0, after.pendingVisitors(), "unconfirmed redirects expired");
        assertEquals(JOINS - 30 - ghosts.get(), after.visitors());
        List<NodeLoad> loads = engine.nodeLoads();
        for (int n = 0; n < 8; n++) {
            assertEquals(joinedPerNode.get(n), loads.get(n).joined(), loads.get(n).nodeId());
            assertEquals(joinedPerNode.get(n), loads.get(n).load(), loads.get(n).nodeId());
            assertEquals(joinedPerNode.get(n), after.visitorsByNode().getOrDefault("v" + (n + 1), 0));
        }

        // Sticky visitors: seats freed by expiry do not let newcomers jump the audience.
        assertEquals(Outcome.VISITOR, engine.decide(Fixtures.join("latecomer")).outcome());

        // Everyone leaves: every count returns to zero and every node is disconnected.
        visitorNode.forEach((key, node) -> engine.report(new OccupancyEvent.VisitorLeft(ROOM, node, key)));
        engine.report(new OccupancyEvent.RoomDestroyed(ROOM));
        engine.nodeLoads().forEach(load -> assertEquals(0, load.load(), load.nodeId()));
        // Every link made (prepared) is unlinked; a link unlinked while it waited for seats was never connected.
        long prepares = links.events.stream().filter(e -> e instanceof NodeLinkEvent.Prepare).count();
        long disconnects = links.events.stream().filter(e -> e instanceof NodeLinkEvent.Disconnect).count();
        assertEquals(prepares, disconnects);
        assertTrue(connects() <= prepares);
    }

    @Test
    void expiredMainSeatsAreGivenToTheNextJoinersWhenVisitorsAreNotStickyAndTheComponentLetsEveryoneIn()
            throws Exception {
        AdmissionEngine engine = engine(Fixtures.deployment().stickyVisitors(false).componentAutoAllows(true).build());
        AtomicInteger mains = new AtomicInteger();
        concurrently(1_000, i -> {
            Decision d = engine.decide(Fixtures.join("p" + i));
            if (d.outcome() == Outcome.MAIN) {
                mains.incrementAndGet();
                if (i % 3 != 0) {
                    engine.report(OccupancyEvent.MainJoined.of(ROOM, d.memberKey()));
                }
            }
        });
        assertEquals(30, mains.get());
        int members = engine.occupancy(ROOM).orElseThrow().mainMembers();
        ticker.advance(Duration.ofSeconds(61));
        AtomicInteger secondWave = new AtomicInteger();
        concurrently(1_000, i -> {
            if (engine.decide(Fixtures.join("q" + i)).outcome() == Outcome.MAIN) {
                secondWave.incrementAndGet();
            }
        });
        assertEquals(30 - members, secondWave.get(), "exactly the expired seats are given out again");
        assertEquals(30, engine.occupancy(ROOM).orElseThrow().mainOccupancy());
    }

    @ParameterizedTest
    @EnumSource(BalancingPolicy.class)
    void oneHundredConferencesAtOnce(BalancingPolicy policy) throws Exception {
        int rooms = 100;
        int perRoom = 150; // 30 main + 120 visitors each: 12,000 visitors for 16,000 node places
        AdmissionEngine engine = engine(Fixtures.deployment().balancing(policy).build());
        AtomicIntegerArray mainPerRoom = new AtomicIntegerArray(rooms);
        concurrently(rooms * perRoom, i -> {
            int r = i % rooms;
            Decision d = engine.decide(Fixtures.join(room(r), "p" + i));
            if (d.outcome() == Outcome.MAIN) {
                mainPerRoom.incrementAndGet(r);
            }
            reportJoin(engine, d);
        });
        for (int r = 0; r < rooms; r++) {
            assertEquals(30, mainPerRoom.get(r), "room " + r);
            RoomOccupancy occupancy = engine.occupancy(room(r)).orElseThrow();
            assertEquals(30, occupancy.mainMembers());
            assertEquals(120, occupancy.visitors());
            if (policy == BalancingPolicy.PACK) {
                assertEquals(1, occupancy.visitorsByNode().size(), "120 < max-visitors-per-node: one node");
            }
        }
        assertEquals(12_000, engine.nodeLoads().stream().mapToInt(NodeLoad::load).sum());
        assertNoNodeOverCapacity(engine);
    }

    @Test
    void oneHundredConferencesBeyondTotalCapacityOverflowOnlyOnceEveryNodeIsFull() throws Exception {
        int rooms = 100;
        int perRoom = 150;
        AdmissionEngine engine = engine(Fixtures.deployment().nodes(Fixtures.nodes(8, 1000)).build());
        concurrently(rooms * perRoom, i -> reportJoin(engine, engine.decide(Fixtures.join(room(i % rooms), "p" + i))));
        List<NodeLoad> loads = engine.nodeLoads();
        long overflowed = loads.stream().mapToLong(NodeLoad::overflowed).sum();
        assertEquals(12_000 - 8_000, overflowed, "exactly the visitors beyond total capacity overflow");
        for (NodeLoad load : loads) {
            assertTrue(load.load() >= load.capacity(), "overflow only once every node is full: " + load);
        }
        int min = loads.stream().mapToInt(NodeLoad::load).min().orElseThrow();
        int max = loads.stream().mapToInt(NodeLoad::load).max().orElseThrow();
        assertTrue(max - min <= THREADS, "overflow goes to the least loaded: " + loads);
    }

    /**
     * The limit boundary is where racing joins overshoot (Jicofo counts only members already in the MUC).
     * One conference crosses it once; here 2,000 conferences each have all 16 threads cross it together.
     */
    @Test
    void theMainRoomNeverExceedsItsLimitAcrossThousandsOfRacingBoundaries() throws Exception {
        int rooms = 2_000;
        int perRoom = 40;
        AdmissionEngine engine = engine(Fixtures.deployment().build());
        AtomicIntegerArray mainPerRoom = new AtomicIntegerArray(rooms);
        concurrently(rooms * perRoom, i -> {
            int r = i / perRoom; // consecutive joins hit the same room, so all threads race on it
            if (engine.decide(Fixtures.join(room(r), "p" + i)).outcome() == Outcome.MAIN) {
                mainPerRoom.incrementAndGet(r);
            }
        });
        for (int r = 0; r < rooms; r++) {
            assertEquals(30, mainPerRoom.get(r), "room " + r);
            assertEquals(30, engine.occupancy(room(r)).orElseThrow().reservedSeats(), "room " + r);
        }
    }

    private static EntityBareJid room(int r) {
        return JoinRequest.parseRoom("room" + r + "@conference.meet.jitsi");
    }

    private static List<Integer> toList(int[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}

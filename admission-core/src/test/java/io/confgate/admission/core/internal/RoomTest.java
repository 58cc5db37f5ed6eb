package io.confgate.admission.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.JoinRequest;
import io.confgate.admission.RoomOccupancy;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.event.NodeLinkEvent;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A room's held places and the counts they imply, against a plain model. */
class RoomTest {
    private static final long LATENCY = 1_000;
    private final NodeSlot[] nodes = {
        new NodeSlot(VisitorNode.conventional("v1", "meet.jitsi", 100_000), 0),
        new NodeSlot(VisitorNode.conventional("v2", "meet.jitsi", 100_000), 1),
        new NodeSlot(VisitorNode.conventional("v3", "meet.jitsi", 100_000), 2)};
    private final Budget places = new Budget(Integer.MAX_VALUE);
    // Links connect at once (a visitors component that lets everyone in): this test is about held places only;
    // LinkGateTest covers links that wait for seats.
    private final Room room = new Room(JoinRequest.parseRoom("townhall@conference.meet.jitsi"), nodes, LATENCY, 0,
            true, 0, places, new Budget(Integer.MAX_VALUE));

    /** A redirect as the balancer makes it: the node's place first, then the hold. */
    private void redirect(String key, NodeSlot node) {
        assertTrue(node.tryAcquire());
        room.redirect(key, node);
    }

    @Test
    void expiresOldestFirstAndStopsAtTheFirstLivePlace() {
        room.enter(0);
        room.reserveSeat("a");
        room.enter(10);
        redirect("b", nodes[0]);
        room.enter(20);
        room.reserveSeat("c");
        room.enter(LATENCY + 10);
        assertNull(room.holdOf("a"), "a deadline equal to now is due");
        assertNull(room.holdOf("b"));
        assertInstanceOf(Hold.Seat.class, room.holdOf("c"));
        assertEquals(1, room.mainOccupancy());
        assertEquals(0, nodes[0].snapshot().load(), "the expired redirect gave its node place back");
    }

    @Test
    void aRenewalMovesThePlaceBehindTheOthers() {
        room.enter(0);
        redirect("a", nodes[0]);
        room.enter(10);
        room.reserveSeat("b");
        room.enter(20);
        assertEquals(nodes[0], room.keptNode("a"), "a repeated request keeps its node and renews the redirect");
        room.enter(LATENCY + 10);
        assertNull(room.holdOf("b"));
        assertEquals(new Hold.Redirect(nodes[0], 20 + LATENCY), room.holdOf("a"));
        assertEquals(1, nodes[0].snapshot().load(), "a renewal takes no second node place");
    }

    @Test
    void aSeatReplacesARedirectAndARedirectReplacesASeat() {
        room.enter(0);
        redirect("a", nodes[1]);
        assertTrue(room.reserveSeat("a"));
        assertEquals(0, nodes[1].snapshot().load());
        assertEquals(1, room.mainOccupancy());
        redirect("a", nodes[2]);
        assertEquals(0, room.mainOccupancy(), "one place per member");
        assertEquals(Map.of("v3", 1), room.snapshot().pendingByNode());
    }

    @Test
    void destroyGivesBackEveryPlaceAndDropsEveryLink() {
        room.enter(0);
        room.reserveSeat("a");
        redirect("b", nodes[0]);
        room.visitorJoined(nodes[1], "c");
        room.links().take();
        room.destroy();
        assertEquals(List.of(NodeLinkEvent.Cause.ROOM_DESTROYED, NodeLinkEvent.Cause.ROOM_DESTROYED),
                room.links().take().stream().map(e -> ((NodeLinkEvent.Disconnect) e).cause()).toList());
        for (NodeSlot node : nodes) {
            assertEquals(0, node.snapshot().load(), node.node.id());
            assertEquals(0, node.snapshot().joined(), node.node.id());
        }
        assertEquals(0, room.snapshot().mainOccupancy());
        assertTrue(room.isDestroyed());
    }

    /** A held place in the model: a seat (node null) or a redirect to a node, and its deadline. */
    private record Place(NodeSlot node, long deadline) {
    }

    /**
     * Random seats, redirects, renewals, give-backs and expiries, checked after each step against a
     * LinkedHashMap doing the same: each key's place and deadline, the seat count, the pending redirects
     * per node, and every node's load. Places pile up first, then drain.
     */
    @Test
    void behavesAsALinkedHashMapInDeadlineOrder() {
        Random random = new Random(42);
        LinkedHashMap<String, Place> model = new LinkedHashMap<>();
        long now = 0;
        int maxSize = 0;
        for (int step = 0; step < 20_000; step++) {
            now += step < 10_000 ? random.nextInt(2) : random.nextInt(200);
            room.enter(now);
            expireInModel(model, now);
            String key = "m" + random.nextInt(step < 10_000 ? 3_000 : 40);
            Place held = model.get(key);
            int op = random.nextInt(10);
            if (op < 4) {
                assertTrue(room.reserveSeat(key));
                model.remove(key);
                model.put(key, new Place(null, now + LATENCY));
            } else if (op < 7) {
                NodeSlot node = nodes[random.nextInt(nodes.length)];
                if (held != null && held.node() != null) {
                    assertEquals(held.node(), room.keptNode(key), "step " + step);
                    node = held.node();
                } else {
                    redirect(key, node);
                }
                model.remove(key);
                model.put(key, new Place(node, now + LATENCY));
            } else if (op < 8) {
                room.dropSeat(key);
                if (held != null && held.node() == null) {
                    model.remove(key);
                }
            } else if (op < 9) {
                assertEquals(held != null && held.node() == null, room.vacate(key), "step " + step);
                if (held != null && held.node() == null) {
                    model.remove(key);
                }
            }
            assertMatches(model, key, "step " + step);
            maxSize = Math.max(maxSize, model.size());
        }
        assertTrue(maxSize > 1_000, "places piled up: " + maxSize);
        assertTrue(model.size() < 100, "and drained: " + model.size());
        room.destroy();
        for (NodeSlot node : nodes) {
            assertEquals(0, node.snapshot().load(), "destroy gave every node place back");
        }
        assertEquals(0, places.used(), "and every held place");
    }

    private void assertMatches(LinkedHashMap<String, Place> model, String key, String step) {
        Place inModel = model.get(key);
        Hold hold = room.holdOf(key);
        if (inModel == null) {
            assertNull(hold, step);
        } else if (inModel.node() == null) {
            Hold.Seat seat = assertInstanceOf(Hold.Seat.class, hold, step);
            assertEquals(inModel.deadline(), seat.deadline(), step);
        } else {
            assertEquals(new Hold.Redirect(inModel.node(), inModel.deadline()), hold, step);
        }
        Map<String, Integer> pending = new HashMap<>();
        int seats = 0;
        for (Place p : model.values()) {
            if (p.node() == null) {
                seats++;
            } else {
                pending.merge(p.node().node.id(), 1, Integer::sum);
            }
        }
        RoomOccupancy occupancy = room.snapshot();
        assertEquals(seats, occupancy.reservedSeats(), step);
        assertEquals(seats, room.mainOccupancy(), step);
        assertEquals(pending, occupancy.pendingByNode(), step);
        for (NodeSlot node : nodes) {
            assertEquals(pending.getOrDefault(node.node.id(), 0), node.snapshot().load(), step + " " + node.node.id());
        }
        assertEquals(!pending.isEmpty(), room.hasVisitors(), step);
        assertEquals(model.size(), places.used(), step + ": the server-wide count of held places");
        assertFalse(room.isDestroyed());
    }

    /** Drops what the room gives up at {@code now}: deadlines due, oldest first. */
    private static void expireInModel(LinkedHashMap<String, Place> model, long now) {
        for (var it = model.values().iterator(); it.hasNext(); ) {
            if (it.next().deadline() > now) {
                break;
            }
            it.remove();
        }
    }
}

package io.confgate.admission.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.Backoff;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.link.LinkSettings;
import io.confgate.admission.link.NodeLinker;
import io.confgate.admission.link.NodeRoom;
import io.confgate.admission.link.VisitorsComponent;
import io.confgate.admission.core.NodeLinkers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;

/** Every transition of a conference-node link, against a wire that keeps the state Jitsi's modules keep. */
class NodeLinkRunnerTest {
    private static final EntityBareJid ROOM = JoinRequest.parseRoom("room@conference.meet.jitsi");
    private static final EntityBareJid OTHER = JoinRequest.parseRoom("other@conference.meet.jitsi");
    private static final VisitorNode V1 = VisitorNode.conventional("v1", "meet.jitsi", 2000);
    private static final Duration SETTLE = Duration.ofSeconds(1);

    private final FakeWire wire = new FakeWire();
    private final NodeLinkRunner runner = new NodeLinkRunner(wire, wire,
            new LinkSettings(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8)), 3, SETTLE, 4),
            wire.executor, wire.delayer);

    private void prepare(EntityBareJid room) {
        runner.onNodeLink(new NodeLinkEvent.Prepare(room, V1));
    }

    private void connect(EntityBareJid room) {
        runner.onNodeLink(new NodeLinkEvent.Connect(room, V1));
    }

    private void disconnect(EntityBareJid room) {
        runner.onNodeLink(new NodeLinkEvent.Disconnect(room, V1, NodeLinkEvent.Cause.LAST_VISITOR_LEFT));
    }

    @Test
    void theFirstLinkAfterAStartIsResetBeforeItIsMade() {
        // A previous process connected v1 for this conference and died: mod_visitors still counts it connected.
        wire.mainConnected.add("room v1");
        prepare(ROOM);
        wire.runAll(false);
        // The probe made an empty room: it did not live on, so the link is reset (disconnect-vnode: the node ends
        // the room on it), then the runner pauses for the settle before making the room again.
        assertEquals(List.of("open room v1", "disconnect room v1"), wire.calls);
        assertEquals(List.of(SETTLE), wire.delays);
        assertFalse(wire.mainConnected.contains("room v1"), "mod_visitors forgot the node");
        wire.runAll(true);
        assertEquals(LinkState.OPEN, runner.stateOf(ROOM, "v1"));
        assertTrue(wire.nodeRooms.contains("room v1"), "the focus made the room: visitors queue in it");
        assertFalse(wire.visitorGetsIn(ROOM, V1), "not connected yet: visitors wait in the pre-join queue");

        connect(ROOM);
        wire.runAll(true);
        assertEquals(LinkState.CONNECTED, runner.stateOf(ROOM, "v1"));
        assertTrue(wire.visitorGetsIn(ROOM, V1), "the connect reached the node this time");
        assertEquals(1, runner.stats().resets());
        assertEquals(1, runner.stats().connected());
    }

    @Test
    void onACleanWireTheNodeRoomStaysThroughTheResetSoVisitorsKeepQueueing() {
        prepare(ROOM);
        connect(ROOM);
        wire.runAll(false);
        assertEquals(List.of("open room v1", "disconnect room v1"), wire.calls);
        assertTrue(wire.nodeRooms.contains("room v1"), "a visitor arriving during the settle finds the room");
        wire.runAll(true);
        assertEquals(List.of("open room v1", "disconnect room v1", "open room v1", "connect room v1"), wire.calls);
        assertTrue(wire.visitorGetsIn(ROOM, V1));
    }

    @Test
    void withoutTheResetAStaleLinkWouldStrandTheVisitor() {
        // The failure the reset prevents, on the same wire: connect-vnode for a node mod_visitors already has does
        // nothing, so the node room stays locked.
        wire.mainConnected.add("room v1");
        wire.nodeRooms.add("room v1");
        wire.focusIn.add("room v1");
        wire.calls.clear();
        try {
            wire.connect(ROOM, V1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertFalse(wire.visitorGetsIn(ROOM, V1));
    }

    @Test
    void aRoomThatLivedOnWithOccupantsIsTakenAsConnected() {
        // After a restart the node room still holds visitors (and the mirrored main participants): only a connect
        // lets anyone in, so the link held; resetting it would end the room under them.
        wire.mainConnected.add("room v1");
        wire.nodeRooms.add("room v1");
        wire.unlocked.add("room v1");
        wire.occupants.put("room v1", 12);
        connect(ROOM);
        wire.runAll(true);
        assertEquals(List.of("open room v1"), wire.calls);
        assertEquals(LinkState.CONNECTED, runner.stateOf(ROOM, "v1"));
        assertEquals(0, runner.stats().resets());
    }

    @Test
    void aLinkPreparedThenDroppedOnlyLeavesTheRoom() {
        prepare(ROOM);
        wire.runAll(true);
        wire.clearCalls();
        disconnect(ROOM);
        wire.runAll(true);
        // Never connected: the main Prosody holds nothing for it, and a disconnect-vnode is not sent.
        assertEquals(List.of("leave room v1"), wire.calls);
        assertEquals(null, runner.stateOf(ROOM, "v1"), "a link at rest is forgotten");
    }

    @Test
    void aConnectedLinkIsUnlinkedWithDisconnectThenLeave() {
        connect(ROOM);
        wire.runAll(true);
        wire.clearCalls();
        disconnect(ROOM);
        wire.runAll(true);
        assertEquals(List.of("disconnect room v1", "leave room v1"), wire.calls);
        assertFalse(wire.mainConnected.contains("room v1"));
    }

    @Test
    void aRoomTheNodeEndedIsLinkedAgainFromScratchWhileStillWanted() {
        connect(ROOM);
        wire.runAll(true);
        wire.nodeEndsRoom(ROOM, V1); // mod_fmuc: 15 s after the last visitor left
        wire.clearCalls();
        runner.nodeRoomEnded(ROOM, "v1");
        wire.runAll(true);
        assertEquals(List.of("disconnect room v1", "open room v1", "connect room v1"), wire.calls);
        assertTrue(wire.visitorGetsIn(ROOM, V1), "the next visitor gets in");
    }

    @Test
    void aRoomTheNodeEndedAfterTheLinkWasDroppedIsOnlyForgottenOnTheMainProsody() {
        connect(ROOM);
        wire.runAll(true);
        wire.nodeEndsRoom(ROOM, V1);
        runner.nodeRoomEnded(ROOM, "v1");
        disconnect(ROOM);
        wire.clearCalls();
        wire.runAll(true);
        assertEquals(List.of("disconnect room v1", "leave room v1"), wire.calls);
        assertFalse(wire.mainConnected.contains("room v1"));
    }

    @Test
    void aDisconnectWhileConnectingWaitsForTheConnectThenUndoesIt() {
        wire.tasks.clear();
        prepare(ROOM);
        connect(ROOM);
        // The driver runs one step at a time; the disconnect arrives after the first step.
        Runnable drive = wire.tasks.poll();
        assertEquals(0, wire.tasks.size(), "one driver per link");
        disconnect(ROOM);
        assertEquals(0, wire.tasks.size(), "a running link is not driven twice");
        drive.run();
        wire.runAll(true);
        assertFalse(wire.mainConnected.contains("room v1"));
        assertFalse(wire.focusIn.contains("room v1"));
        assertEquals(null, runner.stateOf(ROOM, "v1"));
    }

    @Test
    void aFailedStepIsRetriedOnTheBackoffThenCountedAndTriedAgainAfterTheLongestDelay() {
        prepare(ROOM);
        wire.runAll(true);
        wire.failNext.put("connect", 3);
        wire.delays.clear();
        connect(ROOM);
        wire.runAll(true);
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(8)), wire.delays,
                "two retries doubled, then the longest delay after the last attempt");
        assertEquals(3, runner.stats().failures());
        assertEquals(1, runner.stats().dropped());
        assertEquals(LinkState.CONNECTED, runner.stateOf(ROOM, "v1"), "tried again after the longest delay");
    }

    @Test
    void aLinkWaitingToBeTriedAgainIsTriedAtOnceWhenItChangesOrItsNodeIsBack() {
        wire.failNext.put("open", 3);
        prepare(ROOM);
        wire.runAll(2); // three attempts, the third failing: now waiting for the longest delay
        assertEquals(1, runner.stats().dropped());
        assertEquals(LinkState.UNKNOWN, runner.stateOf(ROOM, "v1"));
        wire.clearCalls();
        runner.nodeUp("v1");
        wire.runAll(false); // no delay has to pass: probed and reset at once
        assertEquals(List.of("open room v1", "disconnect room v1"), wire.calls);
        wire.runAll(2); // the stale retry delay (now moot) and the reset's settle
        assertEquals(LinkState.OPEN, runner.stateOf(ROOM, "v1"));
        wire.failNext.put("connect", 1);
        connect(ROOM);
        wire.runAll(false);
        assertEquals(LinkState.OPEN, runner.stateOf(ROOM, "v1"), "failed once, waiting for its retry");
        connect(ROOM);
        wire.runAll(false);
        assertEquals(LinkState.CONNECTED, runner.stateOf(ROOM, "v1"), "a new change does not wait for the retry");
    }

    @Test
    void aChangeDuringTheLastFailingAttemptIsNotLost() {
        connect(ROOM);
        wire.runAll(true);
        assertEquals(LinkState.CONNECTED, runner.stateOf(ROOM, "v1"));
        wire.clearCalls();
        runner.nodeRoomEnded(ROOM, "v1"); // stale: reset, open, connect
        wire.nodeEndsRoom(ROOM, V1);
        wire.failNext.put("connect", 1);
        wire.duringConnect = () -> disconnect(ROOM); // the conference ends while the connect is on the wire
        wire.runAll(1); // the reset's settle only: no retry delay may be run
        assertFalse(wire.focusIn.contains("room v1"), "the disconnect was carried out at once: " + wire.calls);
        assertEquals(null, runner.stateOf(ROOM, "v1"));
    }

    @Test
    void aResetTakesAnOlderComponentsErrorAsNothingToForget() {
        wire.errorOnUnknownDisconnect = true; // mod_visitors_component before its nil check on _connected_vnodes
        connect(ROOM);
        wire.runAll(true);
        assertEquals(LinkState.CONNECTED, runner.stateOf(ROOM, "v1"));
        assertEquals(0, runner.stats().failures());
    }

    @Test
    void aConnectWithoutAnswerIsRetriedAndADisconnectWithoutAnswerIsRetriedUntilItsLastAttempt() {
        wire.componentKnowsRooms = false; // the main room does not exist: the component answers nothing
        connect(ROOM);
        wire.runAll(3); // the reset's settle, then two retries of the connect
        assertEquals(LinkState.OPEN, runner.stateOf(ROOM, "v1"), "the reset tolerated the silence, the connect not");
        assertEquals(1, runner.stats().dropped());
        wire.clearCalls();
        disconnect(ROOM);
        wire.runAll(2);
        assertEquals(List.of("leave room v1"), wire.calls, "never connected: no disconnect-vnode");
        assertEquals(null, runner.stateOf(ROOM, "v1"));

        // Connected, then the component stops answering: the disconnect is tried three times, then taken as done.
        wire.componentKnowsRooms = true;
        connect(OTHER);
        wire.runAll(true);
        wire.componentKnowsRooms = false;
        wire.clearCalls();
        disconnect(OTHER);
        wire.runAll(2);
        assertEquals(List.of("disconnect other v1", "disconnect other v1", "disconnect other v1", "leave other v1"),
                wire.calls);
        assertEquals(null, runner.stateOf(OTHER, "v1"));
    }

    @Test
    void whenTheNodesConnectionComesBackARoomThatLivedOnKeepsItsLinkAndALostOneIsReset() {
        connect(ROOM);
        connect(OTHER);
        wire.runAll(true);
        wire.occupants.put("room v1", 3); // room: visitors in it, it lives on
        wire.focusIn.clear();             // the focus's session on v1 was lost
        wire.nodeEndsRoom(OTHER, V1);     // other: empty, the node ended it
        wire.mainConnected.add("other v1");
        wire.clearCalls();
        runner.nodeUp("v1");
        wire.runAll(true);
        assertEquals(LinkState.CONNECTED, runner.stateOf(ROOM, "v1"));
        assertEquals(LinkState.CONNECTED, runner.stateOf(OTHER, "v1"));
        assertTrue(wire.calls.containsAll(List.of("open room v1", "open other v1", "disconnect other v1",
                "connect other v1")), wire.calls.toString());
        assertFalse(wire.calls.contains("disconnect room v1"), "a room with visitors in it is never reset");
        assertTrue(wire.visitorGetsIn(OTHER, V1));
    }

    @Test
    void linksOfDifferentRoomsToOneNodeNeverWaitOnEachOther() throws Exception {
        // Real threads: the first room's connect hangs (no answer yet); the second room's link goes through.
        CountDownLatch hanging = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch otherLinked = new CountDownLatch(1);
        NodeRoom rooms = new NodeRoom() {
            @Override
            public Opened open(EntityBareJid room, VisitorNode node) {
                return Opened.CREATED;
            }

            @Override
            public void leave(EntityBareJid room, VisitorNode node) {
            }
        };
        VisitorsComponent component = new VisitorsComponent() {
            @Override
            public void connect(EntityBareJid room, VisitorNode node) throws Exception {
                if (room.equals(ROOM)) {
                    hanging.countDown();
                    release.await();
                } else {
                    otherLinked.countDown();
                }
            }

            @Override
            public void disconnect(EntityBareJid room, VisitorNode node) {
            }
        };
        NodeLinker linker = NodeLinkers.create(rooms, component,
                new LinkSettings(new Backoff(Duration.ofMillis(10), Duration.ofMillis(10)), 3, Duration.ZERO, 4));
        try {
            linker.onNodeLink(new NodeLinkEvent.Connect(ROOM, V1));
            assertTrue(hanging.await(5, TimeUnit.SECONDS));
            linker.onNodeLink(new NodeLinkEvent.Connect(OTHER, V1));
            assertTrue(otherLinked.await(5, TimeUnit.SECONDS), "the other room's link did not wait");
        } finally {
            release.countDown();
            linker.close();
        }
    }
}

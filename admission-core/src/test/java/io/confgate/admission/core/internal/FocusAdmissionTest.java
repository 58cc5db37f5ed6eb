package io.confgate.admission.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.Backoff;
import io.confgate.admission.Decision;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.MemberKind;
import io.confgate.admission.Outcome;
import io.confgate.admission.Reason;
import io.confgate.admission.RoomOccupancy;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.core.FocusAdmissions;
import io.confgate.admission.focus.FocusAdmission;
import io.confgate.admission.link.LinkSettings;
import io.confgate.admission.testing.Concurrently;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The facade as Jicofo drives it, counted where the user ends up: a member told "main room" joins only if the
 * main Prosody lets it in, and it does not once a node is connected for the conference (mod_visitors_component
 * without auto_allow_visitor_promotion); a visitor gets into its node room only once it is connected. The wire
 * ({@link FakeWire}) keeps that state as Jitsi's modules do.
 */
class FocusAdmissionTest {
    private static final EntityBareJid ROOM = JoinRequest.parseRoom("townhall@conference.meet.jitsi");
    private static final Duration GRACE = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private FakeWire wire = new FakeWire();
    private final List<FocusAdmission> opened = new ArrayList<>();

    private FocusAdmission focus(boolean store) {
        AdmissionConfig config = AdmissionConfig.builder().enabled(true).maxParticipants(30)
                .nodes(List.of(VisitorNode.conventional("v1", "meet.jitsi", 2000),
                        VisitorNode.conventional("v2", "meet.jitsi", 2000)))
                .seatGrace(GRACE).maxWaitingVisitors(20).build();
        NodeLinkRunner runner = new NodeLinkRunner(wire, wire, new LinkSettings(new Backoff(Duration.ofSeconds(1),
                Duration.ofSeconds(8)), 3, Duration.ofSeconds(1), 4), wire.executor, wire.delayer);
        FocusAdmissions.Builder builder = FocusAdmissions.builder(config, wire, wire).linker(runner)
                .ticker(nanos::get).maintenanceInterval(Duration.ZERO);
        if (store) {
            builder.store(dir, Duration.ofSeconds(1));
        }
        FocusAdmission focus = builder.build();
        opened.add(focus);
        return focus;
    }

    @AfterEach
    void close() {
        opened.forEach(FocusAdmission::close);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    /** Runs what the facade queued on the wire, delays included (the settle, retries). */
    private void settle(FocusAdmission focus) {
        focus.engine().cleanUp();
        wire.runAll(true);
    }

    private static JoinRequest request(String session) {
        return JoinRequest.builder(ROOM).sessionId(session).supportsVisitors(true).build();
    }

    private static Jid member(String name) {
        return JidCreate.fromOrThrowUnchecked(name + "@meet.jitsi/res");
    }

    /** The main Prosody lets an unpromoted member in only while no node is connected for the conference. */
    private boolean mainRoomOpen() {
        return wire.mainConnected.stream().noneMatch(k -> k.startsWith(ROOM.getLocalpart() + " "));
    }

    /** A member told "main room" logs in and joins: in if the main Prosody lets it in, and then reported. */
    private boolean joinMain(FocusAdmission focus, String name) {
        if (!mainRoomOpen()) {
            return false; // 'Visitor needs to be allowed by a moderator'
        }
        focus.mainMemberJoined(ROOM, member(name), MemberKind.NORMAL);
        return true;
    }

    /** p0..p29 answered "main room", a watcher sent to a node (its link waits), then p0.. p{joined-1} join. */
    private void thirtyAnsweredAWatcherAndJoined(FocusAdmission focus, int joined) {
        for (int i = 0; i < 30; i++) {
            assertInstanceOf(Decision.Main.class, focus.conferenceRequest(request("p" + i)));
        }
        assertInstanceOf(Decision.Visitor.class, focus.conferenceRequest(request("watcher")));
        for (int i = 0; i < joined; i++) {
            assertTrue(joinMain(focus, "p" + i));
        }
    }

    private static List<String> mains(List<Decision> decisions) {
        return decisions.stream().filter(d -> d.outcome() == Outcome.MAIN).map(Decision::memberKey).toList();
    }

    @Test
    void racingJoinsEveryMemberAnsweredMainGetsInAndVisitorsWaitForTheLink() throws Exception {
        FocusAdmission focus = focus(false);
        List<Decision> decisions = Collections.synchronizedList(new ArrayList<>());
        Concurrently.run(16, 100, 1, i -> decisions.add(focus.conferenceRequest(request("p" + i))));
        wire.runAll(true);
        List<String> main = mains(decisions);
        assertEquals(30, main.size());
        // max-waiting-visitors per node wait in its pre-join queue: v1's full, v2 is opened, the rest asks again.
        assertEquals(20, decisions.stream().filter(d -> d instanceof Decision.Visitor v && v.node().id().equals("v1"))
                .count());
        assertEquals(20, decisions.stream().filter(d -> d instanceof Decision.Visitor v && v.node().id().equals("v2"))
                .count());
        List<String> queued = decisions.stream().filter(d -> d.reason() == Reason.LINK_PENDING)
                .map(Decision::memberKey).toList();
        assertEquals(30, queued.size(), "the rest are answered ready:false and ask again");
        assertTrue(wire.nodeRooms.contains("townhall v1"), "the node room exists: visitors queue in it");
        assertFalse(wire.visitorGetsIn(ROOM, node("v1")), "not linked while members answered main are on their way");

        for (int i = 0; i < main.size(); i++) {
            assertTrue(joinMain(focus, main.get(i)), main.get(i) + " was told main and must get in");
            wire.runAll(true);
            assertEquals(i < main.size() - 1, mainRoomOpen(), "linked exactly when the last one is in");
        }
        assertTrue(wire.visitorGetsIn(ROOM, node("v1")), "the queued visitors get in");
        assertTrue(wire.visitorGetsIn(ROOM, node("v2")));
        for (String key : queued) {
            assertInstanceOf(Decision.Visitor.class, focus.conferenceRequest(request(key)), "asked again: a node");
        }
        RoomOccupancy room = focus.engine().occupancy(ROOM).orElseThrow();
        assertEquals(30, room.mainMembers());
        assertEquals(0, room.reservedSeats());
        assertEquals(70, room.pendingVisitors());
        assertEquals(2, focus.links().connected());
    }

    @Test
    void membersToldToAskAgainKeepTheirPlaceWhenOthersJoinFirst() {
        // Jicofo answers ready=false while its own focus is still joining the room: those members ask again a
        // second later, and the members answered after them may be in by then. A join is not tied to a request,
        // so each took the oldest seat, the askers' own; asking again they take back one of those still held.
        FocusAdmission focus = focus(false);
        for (int i = 0; i < 30; i++) {
            assertInstanceOf(Decision.Main.class, focus.conferenceRequest(request("p" + i)));
        }
        for (int i = 5; i < 30; i++) {
            assertTrue(joinMain(focus, "p" + i));
        }
        assertInstanceOf(Decision.Visitor.class, focus.conferenceRequest(request("watcher")));
        for (int i = 0; i < 5; i++) {
            assertEquals(Reason.SEAT_HELD, focus.conferenceRequest(request("p" + i)).reason(), "p" + i);
        }
        RoomOccupancy room = focus.engine().occupancy(ROOM).orElseThrow();
        assertEquals(25, room.mainMembers());
        assertEquals(5, room.reservedSeats(), "nothing counted twice");
        for (int i = 0; i < 5; i++) {
            assertTrue(joinMain(focus, "p" + i), "still before the link");
        }
        wire.runAll(true);
        assertFalse(mainRoomOpen(), "linked once all 30 are in");
        assertEquals(30, focus.engine().occupancy(ROOM).orElseThrow().mainMembers());
        assertEquals(0, focus.engine().totals().seatsGivenUp());
    }

    @Test
    void aSeatHolderWhoNeverComesHoldsTheVisitorsForTheGraceOnly() {
        FocusAdmission focus = focus(false);
        for (int i = 0; i < 30; i++) {
            focus.conferenceRequest(request("p" + i));
        }
        Decision visitor = focus.conferenceRequest(request("watcher"));
        assertInstanceOf(Decision.Visitor.class, visitor);
        for (int i = 0; i < 29; i++) {
            assertTrue(joinMain(focus, "p" + i));
        }
        advance(GRACE.minusMillis(1));
        settle(focus);
        assertTrue(mainRoomOpen(), "p29 is still within its grace");
        advance(Duration.ofMillis(1));
        settle(focus);
        assertFalse(mainRoomOpen(), "the grace is over: linked");
        assertTrue(wire.visitorGetsIn(ROOM, node("v1")));
        RoomOccupancy room = focus.engine().occupancy(ROOM).orElseThrow();
        assertEquals(29, room.mainMembers());
        assertEquals(0, room.reservedSeats(), "the absent holder's seat was given up at the link");
    }

    @Test
    void askingAgainDoesNotStretchTheGraceAndRecordersTakeNoSeat() {
        FocusAdmission focus = focus(false);
        thirtyAnsweredAWatcherAndJoined(focus, 29);
        // A recorder joins: it is not counted, and it takes no seat (p29's stays, so the link still waits).
        focus.mainMemberJoined(ROOM, member("recorder"), MemberKind.RECORDER);
        settle(focus);
        assertTrue(mainRoomOpen(), "p29's seat is not taken by the recorder");
        for (int t = 0; t < 3; t++) { // p29 asks again every 4 s and never joins
            advance(Duration.ofSeconds(4));
            assertEquals(Reason.SEAT_HELD, focus.conferenceRequest(request("p29")).reason());
            settle(focus);
        }
        assertFalse(mainRoomOpen(), "12 s after its seat was given: the grace counts from then, not the last ask");
        assertEquals(29, focus.engine().occupancy(ROOM).orElseThrow().mainMembers());
    }

    @Test
    void aSeatHolderWhoComesAfterTheLinkIsRefusedByProsodyAndItsNextRequestGoesToTheNode() {
        FocusAdmission focus = focus(false);
        thirtyAnsweredAWatcherAndJoined(focus, 29);
        advance(GRACE);
        settle(focus);
        assertFalse(joinMain(focus, "p29"), "too late: the main Prosody refuses it (the facade cannot help that)");
        // lib-jitsi-meet shows the refusal; the user's next conference request must not be answered "main" again.
        Decision again = focus.conferenceRequest(request("p29"));
        assertInstanceOf(Decision.Visitor.class, again);
        assertEquals("v1", ((Decision.Visitor) again).node().id());
        assertTrue(wire.visitorGetsIn(ROOM, node("v1")));
    }

    @Test
    void aMemberLeavingWhileTheLinkWaitsNeitherOpensTheMainRoomNorOpensTheLink() {
        FocusAdmission focus = focus(false);
        thirtyAnsweredAWatcherAndJoined(focus, 20);
        focus.mainMemberLeft(ROOM, member("p0"));
        settle(focus);
        assertTrue(mainRoomOpen());
        Decision late = focus.conferenceRequest(request("late"));
        assertEquals(Reason.STICKY_VISITORS, late.reason(), "the conference has visitors: the freed seat is not given");
        for (int i = 20; i < 30; i++) {
            joinMain(focus, "p" + i);
        }
        settle(focus);
        assertFalse(mainRoomOpen());
        assertEquals(29, focus.engine().occupancy(ROOM).orElseThrow().mainMembers());
    }

    @Test
    void aNodeGoingDownSendsTheNextVisitorsElsewhereAndItsRoomsAreJoinedAgainWhenBack() {
        FocusAdmission focus = focus(false);
        focus.conferenceRequest(request("m"));
        joinMain(focus, "m");
        for (int i = 0; i < 29; i++) {
            focus.conferenceRequest(request("p" + i));
            joinMain(focus, "p" + i);
        }
        assertEquals("v1", ((Decision.Visitor) focus.conferenceRequest(request("w1"))).node().id());
        settle(focus);
        assertTrue(wire.visitorGetsIn(ROOM, node("v1")));
        focus.nodeConnection("v1", false);
        assertEquals("v2", ((Decision.Visitor) focus.conferenceRequest(request("w2"))).node().id());
        settle(focus);
        assertTrue(wire.visitorGetsIn(ROOM, node("v2")), "no seat on its way: v2 is linked at once");

        wire.focusIn.remove("townhall v1"); // the focus's session on v1 was lost with the connection
        wire.occupants.put("townhall v1", 2);
        wire.clearCalls();
        focus.nodeConnection("v1", true);
        settle(focus);
        assertEquals(List.of("open townhall v1"), wire.calls, "back in a room that lived on: nothing reset");
        assertTrue(wire.visitorGetsIn(ROOM, node("v1")));
    }

    @Test
    void aConferenceEndingWhileTheLinkWaitsLeavesTheNodeRoomWithoutADisconnect() {
        FocusAdmission focus = focus(false);
        for (int i = 0; i < 30; i++) {
            focus.conferenceRequest(request("p" + i));
        }
        focus.conferenceRequest(request("watcher"));
        wire.runAll(true);
        wire.clearCalls();
        focus.conferenceEnded(ROOM);
        wire.runAll(true);
        assertEquals(List.of("leave townhall v1"), wire.calls);
        assertTrue(focus.engine().occupancy(ROOM).isEmpty());
        focus.engine().nodeLoads().forEach(l -> assertEquals(0, l.load(), l.nodeId()));
    }

    @Test
    void aRestartOnTheStoreKeepsTheLinkWaitingForTheSameSeats() {
        FocusAdmission before = focus(true);
        for (int i = 0; i < 30; i++) {
            before.conferenceRequest(request("p" + i));
        }
        before.conferenceRequest(request("watcher"));
        for (int i = 0; i < 20; i++) {
            joinMain(before, "p" + i);
        }
        wire.runAll(true);
        before.close();
        opened.remove(before);

        // The Prosodies run on; the new process's linker knows nothing of the wire.
        FocusAdmission after = focus(true);
        wire.runAll(true);
        RoomOccupancy room = after.engine().occupancy(ROOM).orElseThrow();
        assertEquals(20, room.mainMembers());
        assertEquals(10, room.reservedSeats());
        assertTrue(mainRoomOpen(), "still waiting for the ten seats");
        assertTrue(wire.nodeRooms.contains("townhall v1"), "the node room is made again for the queued visitor");
        for (int i = 20; i < 30; i++) {
            assertTrue(joinMain(after, "p" + i));
        }
        wire.runAll(true);
        assertFalse(mainRoomOpen());
        assertTrue(wire.visitorGetsIn(ROOM, node("v1")));
        assertEquals(30, after.engine().occupancy(ROOM).orElseThrow().mainMembers());
    }

    @Test
    void withAComponentThatLetsEveryoneInTheLinkIsMadeAtOnce() {
        AdmissionConfig config = AdmissionConfig.builder().enabled(true).maxParticipants(1)
                .nodes(List.of(VisitorNode.conventional("v1", "meet.jitsi", 2000))).componentAutoAllows(true).build();
        NodeLinkRunner runner = new NodeLinkRunner(wire, wire, new LinkSettings(new Backoff(Duration.ofSeconds(1),
                Duration.ofSeconds(8)), 3, Duration.ZERO, 4), wire.executor, wire.delayer);
        FocusAdmission focus = FocusAdmissions.builder(config, wire, wire).linker(runner).ticker(nanos::get)
                .maintenanceInterval(Duration.ZERO).build();
        opened.add(focus);
        focus.conferenceRequest(request("a"));
        focus.conferenceRequest(request("w"));
        wire.runAll(true);
        assertTrue(wire.visitorGetsIn(ROOM, node("v1")), "nothing to wait for: everyone may join the main room");
    }

    private static VisitorNode node(String id) {
        return VisitorNode.conventional(id, "meet.jitsi", 2000);
    }
}

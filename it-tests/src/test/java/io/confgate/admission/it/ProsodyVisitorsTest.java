package io.confgate.admission.it;

import static io.confgate.admission.it.ProsodyHarness.MAIN;
import static io.confgate.admission.it.ProsodyHarness.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.NodeLoad;
import io.confgate.admission.NodeState;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.core.AdmissionEngines;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.xmpp.XmppAccount;
import io.confgate.admission.xmpp.XmppSettings;
import io.confgate.admission.xmpp.XmppSignaling;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jitsi.xmpp.extensions.jitsimeet.ConferenceIq;
import org.jitsi.xmpp.extensions.visitors.ConnectVnodePacketExtension;
import org.jitsi.xmpp.extensions.visitors.VisitorsIq;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.muc.MUCRole;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * The library's XMPP edge against a Prosody playing a Jitsi visitors deployment, with test peers that refuse
 * what Jitsi's own modules refuse (ProsodyHarness, src/test/resources/prosody-peers): the component drops a
 * {@code set} that did not come over s2s and answers nothing for a room it does not know; a node's room is
 * created only by the focus and stays locked until the main Prosody's {@code connect}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProsodyVisitorsTest {
    private static final EntityBareJid ROOM = JoinRequest.parseRoom("townhall@conference.main.test");
    private static final EntityBareJid NODE_ROOM = JoinRequest.parseRoom("townhall@conference.v1.test");

    @TempDir
    static Path dir;
    static ProsodyHarness prosody;
    static AdmissionEngine engine;
    static XmppSignaling signaling;
    static XMPPTCPConnection host;
    static XMPPTCPConnection client;
    static XMPPTCPConnection ann;
    static XMPPTCPConnection mallory;
    static MultiUserChat annInNode;

    @BeforeAll
    static void start() throws Exception {
        prosody = ProsodyHarness.create(dir, List.of("v1", "v2"), true);
        prosody.registerFocus();
        for (String[] account : new String[][] {{"host", MAIN}, {"client", MAIN}, {"mallory", MAIN},
                {"ann", "v1.test"}, {"bob", "v2.test"}}) {
            prosody.register(account[0], account[1]);
        }
        prosody.start();

        AdmissionConfig config = AdmissionConfig.builder().enabled(true).maxParticipants(1)
                .nodes(List.of(node("v1"), node("v2"))).build();
        // The component is discovered, as Jicofo finds it; short timeouts so unanswered IQs are given up fast.
        XmppSettings settings = new XmppSettings(account(MAIN), Optional.empty(),
                JidCreate.domainBareFrom("conference." + MAIN), Map.of("v1", account("v1.test"), "v2",
                account("v2.test")), Duration.ofSeconds(3), Duration.ofMillis(200), Duration.ofSeconds(1), 2);
        signaling = XmppSignaling.create(settings);
        engine = AdmissionEngines.builder(config).nodeLinkListener(signaling).build();
        signaling.start(engine);

        host = login("host", MAIN);
        client = login("client", MAIN);
        ann = login("ann", "v1.test");
        mallory = login("mallory", MAIN);
        await("every connection up", () -> signaling.isConnected("main") && signaling.isConnected("v1")
                && signaling.isConnected("v2"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (XMPPTCPConnection c : new XMPPTCPConnection[] {host, client, ann, mallory}) {
            if (c != null) {
                c.disconnect();
            }
        }
        if (signaling != null) {
            signaling.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    private static VisitorNode node(String id) throws Exception {
        return new VisitorNode(id, JidCreate.entityBareFrom("focus@" + id + ".test"), 2000, 1.0, NodeState.UP);
    }

    private static XmppAccount account(String host) throws Exception {
        return new XmppAccount("127.0.0.1", prosody.port, JidCreate.domainBareFrom(host),
                JidCreate.domainBareFrom(host), JidCreate.domainBareFrom("conference." + host), "focus", PASSWORD,
                false);
    }

    static XMPPTCPConnection login(String user, String domain) throws Exception {
        return login(prosody, user, domain);
    }

    static XMPPTCPConnection login(ProsodyHarness prosody, String user, String domain) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
                .setUsernameAndPassword(user, PASSWORD).setXmppDomain(domain).setHost("127.0.0.1")
                .setPort(prosody.port).setResource("it").setSecurityMode(SecurityMode.disabled).build());
        c.setUseStreamManagement(false);
        c.setReplyTimeout(3_000);
        c.connect().login();
        return c;
    }

    private static ConferenceIq conference(String session) throws Exception {
        ConferenceIq request = new ConferenceIq();
        request.setType(IQ.Type.set);
        request.setTo(JidCreate.from("focus@" + MAIN + "/" + XmppSettings.DEFAULT_RESOURCE));
        request.setRoom(ROOM);
        request.setSessionId(session);
        request.addProperty("visitors-version", "1");
        return assertInstanceOf(ConferenceIq.class, client.sendIqRequestAndWaitForResponse(request));
    }

    /** A connect-vnode as somebody other than the library sends it. */
    private static VisitorsIq connectVnode(XMPPTCPConnection from, EntityBareJid room, String vnode, IQ.Type type)
            throws Exception {
        VisitorsIq.Builder iq = new VisitorsIq.Builder(from);
        iq.setRoom(room);
        iq.to(JidCreate.from("visitors." + MAIN));
        iq.ofType(type);
        iq.addExtensions(List.of(new ConnectVnodePacketExtension(vnode)));
        return iq.build();
    }

    @Test
    @Order(1)
    void theComponentIsDiscoveredAsMod_visitorsAdvertisesIt() throws Exception {
        await("component discovered", () -> signaling.visitorsComponent().isPresent());
        assertEquals("visitors." + MAIN, signaling.visitorsComponent().get().toString());
        await("visitors available", engine::visitorsAvailable);
    }

    @Test
    @Order(2)
    void aRedirectedVisitorsNodeRoomIsCreatedConnectedAndJoinable() throws Exception {
        // A main participant is in the main room, as in a real conference.
        MultiUserChatManager.getInstanceFor(host).getMultiUserChat(ROOM).create(Resourcepart.from("host"))
                .makeInstant();
        ConferenceIq main = conference("m1");
        assertEquals(Boolean.TRUE, main.isReady());
        assertEquals("focus@" + MAIN, main.getFocusJid());
        assertEquals(null, main.getVnode());
        ConferenceIq visitor = conference("viewer-1");
        assertEquals("v1", visitor.getVnode());
        assertEquals("focus@v1.test", visitor.getFocusJid());
        assertEquals("true", visitor.getPropertiesMap().get("visitors-supported"));
        // m1 was told "main room" and is not in yet: the node room is made, but no connect-vnode (it would close
        // the main room to m1); the visitor would wait in the room's pre-join queue.
        Thread.sleep(1_500); // longer than the reset's settle: the link stands where it waits
        assertEquals(0, signaling.stats().vnodeLinksConnected(), "not linked while m1 is on its way");
        assertEquals(1, engine.totals().waitingLinks());
        engine.report(OccupancyEvent.MainJoined.of(ROOM, "m1")); // m1 is in, as the focus sees it
        await("connect-vnode acknowledged by the component", () -> signaling.stats().vnodeLinksConnected() == 1);
        assertEquals(0, signaling.stats().vnodeLinksDropped());
        assertEquals(1, signaling.stats().vnodeLinkResets(), "the first link after the start was reset first");

        annInNode = MultiUserChatManager.getInstanceFor(ann).getMultiUserChat(NODE_ROOM);
        annInNode.join(Resourcepart.from("ann"));
        assertTrue(annInNode.isJoined(), "the visitor joined the node's connected room");
        await("the visitor's own presence listed", () -> annInNode.getOccupant(
                JidCreate.entityFullFromOrThrowUnchecked(NODE_ROOM + "/ann")) != null);
        assertEquals(MUCRole.visitor, annInNode.getOccupant(JidCreate.entityFullFrom(NODE_ROOM + "/ann")).getRole());
        // The focus sees the visitor in the node's room (as Jicofo's VisitorChatRoomListener does): the redirect is
        // confirmed, so it never expires into a disconnect-vnode that would end the room with the visitor in it.
        await("the visitor counted on v1 from the focus's view", () -> joinedOn("v1") == 1);
        assertEquals(0, engine.totals().pendingRedirects(), "viewer-1's redirect taken by the join");
    }

    @Test
    @Order(3)
    void theComponentDropsASetThatDidNotComeOverS2s() throws Exception {
        XMPPTCPConnection focusAgain = login("focus", MAIN); // even the admin, from c2s
        try {
            assertThrows(SmackException.NoResponseException.class, () ->
                    focusAgain.sendIqRequestAndWaitForResponse(connectVnode(focusAgain, ROOM, "v2", IQ.Type.set)));
            assertTrue(prosody.logged("not from s2s session, ignore!"));
        } finally {
            focusAgain.disconnect();
        }
    }

    @Test
    @Order(4)
    void aConnectVnodeForARoomTheComponentDoesNotKnowIsRetriedThenDroppedAndCounted() throws Exception {
        long dropped = signaling.stats().vnodeLinksDropped();
        long acknowledged = signaling.stats().vnodeLinksAcknowledged();
        EntityBareJid nowhere = JoinRequest.parseRoom("nowhere@conference.main.test");
        engine.decide(JoinRequest.builder(nowhere).sessionId("x1").visitorRequested(true).build());
        await("dropped after its attempts", () -> signaling.stats().vnodeLinksDropped() == dropped + 1);
        assertEquals(acknowledged, signaling.stats().vnodeLinksAcknowledged(), "no answer: never acknowledged");
    }

    @Test
    @Order(5)
    void aNodeRoomTheFocusDidNotCreateCannotBeUsedEvenIfTheComponentAcknowledges() throws Exception {
        // An admin sends connect-vnode the right way (get) but nobody created the room on v2 first.
        XMPPTCPConnection focusAgain = login("focus", MAIN);
        XMPPTCPConnection bob = login("bob", "v2.test");
        try {
            IQ ack = focusAgain.sendIqRequestAndWaitForResponse(connectVnode(focusAgain, ROOM, "v2", IQ.Type.get));
            assertEquals(IQ.Type.result, ack.getType());
            MultiUserChat bobInNode = MultiUserChatManager.getInstanceFor(bob)
                    .getMultiUserChat(JoinRequest.parseRoom("townhall@conference.v2.test"));
            XMPPException.XMPPErrorException refused = assertThrows(XMPPException.XMPPErrorException.class,
                    () -> bobInNode.join(Resourcepart.from("bob")));
            assertEquals(StanzaError.Condition.not_allowed, refused.getStanzaError().getCondition(),
                    "only the focus may create a node's room");
        } finally {
            focusAgain.disconnect();
            bob.disconnect();
        }
    }

    @Test
    @Order(6)
    void aNonAdminsConnectVnodeConnectsNothing() throws Exception {
        // mallory is not an admin: the real component answers (result, then service-unavailable) but does
        // not connect. A room the focus (v2's admin) created stays locked: a visitor's join is held.
        XMPPTCPConnection v2focus = login("focus", "v2.test");
        XMPPTCPConnection bob = login("bob", "v2.test");
        EntityBareJid v2room = JoinRequest.parseRoom("locked@conference.v2.test");
        EntityBareJid mainRoom = JoinRequest.parseRoom("locked@conference.main.test");
        try {
            MultiUserChatManager.getInstanceFor(host).getMultiUserChat(mainRoom).create(Resourcepart.from("host"))
                    .makeInstant();
            MultiUserChatManager.getInstanceFor(v2focus).getMultiUserChat(v2room).create(Resourcepart.from("focus"))
                    .makeInstant();
            mallory.sendIqRequestAndWaitForResponse(connectVnode(mallory, mainRoom, "v2", IQ.Type.get));
            MultiUserChat bobInNode = MultiUserChatManager.getInstanceFor(bob).getMultiUserChat(v2room);
            assertThrows(SmackException.NoResponseException.class, () -> bobInNode.join(Resourcepart.from("bob")),
                    "held in the queue: the node was never told to connect");
        } finally {
            v2focus.disconnect();
            bob.disconnect();
        }
    }

    @Test
    @Order(7)
    void aConferenceIqWithoutARoomIsDroppedAndCountedAndTheConnectionStays() throws Exception {
        // Jitsi's ConferenceIqProvider cannot parse it, in Jicofo as here: it goes unanswered.
        long malformed = signaling.stats().malformedStanzas();
        ConferenceIq request = new ConferenceIq();
        request.setType(IQ.Type.set);
        request.setTo(JidCreate.from("focus@" + MAIN + "/" + XmppSettings.DEFAULT_RESOURCE));
        assertThrows(SmackException.NoResponseException.class, () -> client.sendIqRequestAndWaitForResponse(request));
        assertEquals(malformed + 1, signaling.stats().malformedStanzas());
        assertTrue(signaling.isConnected("main"));
        assertEquals("v1", conference("viewer-2").getVnode(), "still answering");
    }

    /**
     * The node ends a room by itself when its last visitor leaves (mod_fmuc); the component still has the node
     * connected and connects a node only once. A visitor redirected meanwhile must find the room made again and
     * connected: disconnect-vnode, the focus creates the room, connect-vnode (Jicofo: roomDestroyed, then the next
     * redirect joins and connects). Before, the focus did not notice and the next visitor was refused.
     */
    @Test
    @Order(8)
    void aRoomTheNodeEndsWhileAVisitorIsOnTheWayIsMadeAndConnectedAgain() throws Exception {
        assertTrue(engine.totals().pendingRedirects() >= 1, "viewer-2 is on its way to v1 (the test before)");
        long acknowledged = signaling.stats().vnodeLinksAcknowledged();
        long resets = signaling.stats().vnodeLinkResets();
        annInNode.leave(); // the last visitor: the node ends the room
        await("the focus saw the visitor leave", () -> joinedOn("v1") == 0);
        await("disconnect-vnode and connect-vnode acknowledged again",
                () -> signaling.stats().vnodeLinksAcknowledged() >= acknowledged + 2);
        annInNode = MultiUserChatManager.getInstanceFor(ann).getMultiUserChat(NODE_ROOM);
        annInNode.join(Resourcepart.from("ann")); // throws if refused or left in the queue
        assertTrue(annInNode.isJoined(), "the next visitor is in the room the focus made again");
        await("and counted from the focus's view", () -> joinedOn("v1") == 1);
        // (Drops are not compared: the link of the test before, to a room the component does not know, is tried
        // again on its own schedule meanwhile.)
        assertEquals(resets + 1, signaling.stats().vnodeLinkResets(), "one reset: the stale link made again");
    }

    private static int joinedOn(String nodeId) {
        return engine.nodeLoads().stream().filter(l -> l.nodeId().equals(nodeId)).mapToInt(NodeLoad::joined).sum();
    }

    @Test
    @Order(9)
    void destroyingTheConferenceDisconnectsTheNodeWhichEndsItsRoom() throws Exception {
        long acknowledged = signaling.stats().vnodeLinksAcknowledged();
        engine.report(new OccupancyEvent.RoomDestroyed(ROOM));
        await("disconnect-vnode acknowledged", () -> signaling.stats().vnodeLinksAcknowledged() > acknowledged);
        await("the node's room ended, the visitor with it", () -> !annInNode.isJoined());
    }

    @Test
    @Order(10)
    void aProsodyRestartMarksNodesDownThenUpAgain() throws Exception {
        prosody.stop();
        await("nodes marked down", () -> engine.nodeLoads().stream().allMatch(l -> l.state() == NodeState.DOWN));
        assertFalse(engine.visitorsAvailable(), "no redirect while the main connection is down");
        prosody.start();
        await("nodes up again", () -> engine.nodeLoads().stream().map(NodeLoad::state).allMatch(NodeState.UP::equals));
        await("main reconnected and the component found again", engine::visitorsAvailable);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        prosody.await(what, condition);
    }
}

package io.confgate.admission.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.NodeLoad;
import io.confgate.admission.NodeState;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.core.AdmissionEngines;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.promotion.PromotionConfig;
import io.confgate.admission.promotion.PromotionResult;
import io.confgate.admission.xmpp.XmppAccount;
import io.confgate.admission.xmpp.XmppSettings;
import io.confgate.admission.xmpp.XmppSignaling;
import io.confgate.admission.xmpp.stanza.ConferenceIq;
import io.confgate.admission.xmpp.stanza.VisitorsCommand;
import io.confgate.admission.xmpp.stanza.VisitorsIq;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.iqrequest.AbstractIqRequestHandler;
import org.jivesoftware.smack.iqrequest.IQRequestHandler;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The library's XMPP edge against a real Prosody: a main host with the focus and a peer playing the
 * visitors component, two visitor-node hosts with the focus's node accounts and a peer playing node v1.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProsodyVisitorsTest {
    private static final String PASSWORD = "it-pass";
    private static final EntityBareJid ROOM = JoinRequest.parseRoom("townhall@conference.main.test");

    @TempDir
    static Path dir;
    static ProsodyHarness prosody;
    static AdmissionEngine engine;
    static XmppSignaling signaling;
    static XMPPTCPConnection component;
    static XMPPTCPConnection node;
    static XMPPTCPConnection client;
    static final BlockingQueue<VisitorsCommand> componentInbox = new LinkedBlockingQueue<>();
    static final BlockingQueue<VisitorsIq> nodeInbox = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        prosody = ProsodyHarness.create(dir, List.of("main.test", "v1.test", "v2.test"));
        for (String[] account : new String[][] {{"focus", "main.test"}, {"visitors", "main.test"},
                {"client", "main.test"}, {"focus", "v1.test"}, {"node", "v1.test"}, {"focus", "v2.test"}}) {
            prosody.register(account[0], account[1], PASSWORD);
        }
        prosody.start();

        AdmissionConfig config = AdmissionConfig.builder().maxParticipants(2)
                .nodes(List.of(node("v1"), node("v2")))
                .promotion(PromotionConfig.builder().autoAllow(false).build()).build();
        XmppSettings settings = new XmppSettings(account("main.test"),
                JidCreate.from("visitors@main.test/component"), JidCreate.domainBareFrom("conference.main.test"),
                Map.of("v1", account("v1.test"), "v2", account("v2.test")), Duration.ofSeconds(5),
                Duration.ofMillis(200), Duration.ofSeconds(1), 5);
        signaling = XmppSignaling.create(settings);
        engine = AdmissionEngines.builder(config).nodeLinkListener(signaling).promotionListener(signaling).build();
        signaling.start(engine);

        component = peer("visitors", "main.test", "component");
        component.registerIQRequestHandler(new Recorder(iq -> componentInbox.addAll(iq.commands())));
        node = peer("node", "v1.test", "node");
        node.registerIQRequestHandler(new Recorder(nodeInbox::add));
        client = peer("client", "main.test", "web");
        await("every connection up", () -> signaling.isConnected("main") && signaling.isConnected("v1")
                && signaling.isConnected("v2"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (XMPPTCPConnection c : new XMPPTCPConnection[] {component, node, client}) {
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

    private static XMPPTCPConnection peer(String user, String host, String resource) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
                .setUsernameAndPassword(user, PASSWORD).setXmppDomain(host).setHost("127.0.0.1")
                .setPort(prosody.port).setResource(resource).setSecurityMode(SecurityMode.disabled).build());
        c.setUseStreamManagement(false);
        c.connect().login();
        return c;
    }

    /** Records every jitsi:visitors IQ it receives and acknowledges it, as the real peers do. */
    private static final class Recorder extends AbstractIqRequestHandler {
        private final java.util.function.Consumer<VisitorsIq> sink;

        Recorder(java.util.function.Consumer<VisitorsIq> sink) {
            super(VisitorsIq.ELEMENT, VisitorsIq.NAMESPACE, IQ.Type.set, IQRequestHandler.Mode.async);
            this.sink = sink;
        }

        @Override
        public IQ handleIQRequest(IQ request) {
            sink.accept((VisitorsIq) request);
            return IQ.createResultIQ(request);
        }
    }


    private static ConferenceIq conference(String session) throws Exception {
        ConferenceIq request = ConferenceIq.request(ROOM, Optional.empty(), Optional.of(session),
                Map.of("visitors-version", "1"));
        request.setType(IQ.Type.set);
        request.setTo(JidCreate.from("focus@main.test/focus"));
        return assertInstanceOf(ConferenceIq.class, client.sendIqRequestAndWaitForResponse(request));
    }

    private static <T extends VisitorsCommand> T next(BlockingQueue<VisitorsCommand> inbox, Class<T> type)
            throws InterruptedException {
        VisitorsCommand c = inbox.poll(ProsodyHarness.timeout().toSeconds(), TimeUnit.SECONDS);
        return assertInstanceOf(type, c, "expected a " + type.getSimpleName());
    }

    private static IQ promotionRequest(XMPPTCPConnection from, String to, String nodeRoom, String visitorJid,
                                       long time) throws Exception {
        VisitorsIq iq = new VisitorsIq(JoinRequest.parseRoom(nodeRoom), Optional.empty(),
                List.of(new VisitorsCommand.PromotionRequest(visitorJid, time, Optional.empty(), Optional.empty(),
                        false, Optional.of("Visitor"))));
        iq.setType(IQ.Type.set);
        iq.setTo(JidCreate.from(to));
        return from.sendIqRequestAndWaitForResponse(iq);
    }

    @Test
    @Order(1)
    void theConferenceIqIsAnsweredAndAVisitorOpensANodeWithConnectVnode() throws Exception {
        for (String s : List.of("m1", "m2")) {
            ConferenceIq main = conference(s);
            assertEquals(Optional.of(true), main.ready());
            assertEquals(Optional.of("focus@main.test"), main.focusJid());
            assertEquals(Optional.empty(), main.vnode());
        }
        ConferenceIq visitor = conference("viewer-1");
        assertEquals(Optional.of("v1"), visitor.vnode());
        assertEquals(Optional.of("focus@v1.test"), visitor.focusJid());
        assertEquals("v1", next(componentInbox, VisitorsCommand.ConnectVnode.class).vnode());
        await("connect-vnode acknowledged", () -> signaling.stats().vnodeIqsAcknowledged() >= 1);
    }

    @Test
    @Order(2)
    void aMalformedConferenceIqGetsBadRequestAndTheConnectionStays() throws Exception {
        IQ raw = new RawIq(ConferenceIq.ELEMENT, ConferenceIq.NAMESPACE, " room='a@b@c'");
        raw.setType(IQ.Type.set);
        raw.setTo(JidCreate.from("focus@main.test/focus"));
        XMPPException.XMPPErrorException error = org.junit.jupiter.api.Assertions.assertThrows(
                XMPPException.XMPPErrorException.class, () -> client.sendIqRequestAndWaitForResponse(raw));
        assertEquals(StanzaError.Condition.bad_request, error.getStanzaError().getCondition());
        assertTrue(error.getStanzaError().toXML().toString()
                .contains("not a valid room JID"), error.getStanzaError().toString());
        assertTrue(signaling.isConnected("main"));
        assertEquals(Optional.of("v1"), conference("viewer-2").vnode(), "still answering");
    }

    @Test
    @Order(3)
    void aPromotionRequestFromTheLinkedNodeIsAnsweredOnceAModeratorDecides() throws Exception {
        IQ ack = promotionRequest(node, "focus@v1.test/focus", "townhall@conference.v1.test",
                "townhall@conference.v1.test/ann", 1_700_000_000L);
        assertEquals(IQ.Type.result, ack.getType());
        await("the hand is pending", () -> pendingHands() == 1);
        PromotionResult approved = engine.promotions().approveAll(ROOM, moderator());
        assertEquals(1, ((PromotionResult.Done) approved).hands().size());
        VisitorsIq response = nodeInbox.poll(ProsodyHarness.timeout().toSeconds(), TimeUnit.SECONDS);
        VisitorsCommand.PromotionResponse r = assertInstanceOf(VisitorsCommand.PromotionResponse.class,
                response.commands().get(0));
        assertTrue(r.allow());
        assertEquals("townhall@conference.v1.test/ann", r.jid());
        assertEquals("townhall@conference.v1.test", response.room().orElseThrow().toString());
        // The username the node passes to the visitor is its ticket: it places the visitor in the full room.
        assertEquals("PROMOTED", engine.decide(JoinRequest.builder(ROOM).sessionId("townhall@conference.v1.test/ann")
                .promotionTicket(r.username()).build()).reason().name());
        assertEquals(0, pendingHands());

        promotionRequest(node, "focus@v1.test/focus", "townhall@conference.v1.test", "townhall@conference.v1.test/bob",
                1_700_000_001L);
        await("bob's hand is pending", () -> pendingHands() == 1);
        String bobId = ((PromotionResult.Done) engine.promotions().pending(ROOM, moderator())).hands().get(0)
                .requestId();
        engine.promotions().deny(ROOM, moderator(), List.of(bobId));
        VisitorsIq denied = nodeInbox.poll(ProsodyHarness.timeout().toSeconds(), TimeUnit.SECONDS);
        assertTrue(!((VisitorsCommand.PromotionResponse) denied.commands().get(0)).allow());
    }

    @Test
    @Order(4)
    void forgedPromotionRequestsAreRefusedAndCounted() throws Exception {
        long before = signaling.stats().forgedPromotionRequests();
        // From a client of the main host, not a node.
        XMPPException.XMPPErrorException notNode = org.junit.jupiter.api.Assertions.assertThrows(
                XMPPException.XMPPErrorException.class, () -> promotionRequest(client, "focus@main.test/focus",
                        "townhall@conference.v1.test", "townhall@conference.v1.test/eve", 1));
        assertEquals(StanzaError.Condition.not_allowed, notNode.getStanzaError().getCondition());
        // From node v1, for a conference that is not linked to v1.
        org.junit.jupiter.api.Assertions.assertThrows(XMPPException.XMPPErrorException.class,
                () -> promotionRequest(node, "focus@v1.test/focus", "elsewhere@conference.v1.test",
                        "elsewhere@conference.v1.test/eve", 1));
        assertEquals(before + 2, signaling.stats().forgedPromotionRequests());
        assertEquals(0, pendingHands());
    }

    @Test
    @Order(5)
    void destroyingTheConferenceSendsDisconnectVnode() throws Exception {
        engine.report(new OccupancyEvent.RoomDestroyed(ROOM));
        assertEquals("v1", next(componentInbox, VisitorsCommand.DisconnectVnode.class).vnode());
    }

    @Test
    @Order(6)
    void aProsodyRestartMarksNodesDownThenUpAgain() throws Exception {
        prosody.stop();
        await("nodes marked down", () -> engine.nodeLoads().stream().allMatch(l -> l.state() == NodeState.DOWN));
        prosody.start();
        await("nodes up again", () -> engine.nodeLoads().stream().map(NodeLoad::state).allMatch(NodeState.UP::equals));
        await("main reconnected", () -> signaling.isConnected("main"));
    }

    private static int pendingHands() {
        return ((PromotionResult.Done) engine.promotions().pending(ROOM, moderator())).hands().size();
    }

    private static io.confgate.admission.Identity moderator() {
        return new io.confgate.admission.Identity(Optional.of("host"), Optional.empty(), true, Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** An IQ with hand-written child XML, to send what no well-behaved client would. */
    private static final class RawIq extends IQ {
        private final String rawAttributes;

        RawIq(String element, String namespace, String rawAttributes) {
            super(element, namespace);
            this.rawAttributes = rawAttributes;
        }

        @Override
        protected IQChildElementXmlStringBuilder getIQChildElementBuilder(IQChildElementXmlStringBuilder xml) {
            xml.append(rawAttributes);
            xml.setEmptyElement();
            return xml;
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        prosody.await(what, condition);
    }
}

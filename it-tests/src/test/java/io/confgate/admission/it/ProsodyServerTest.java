package io.confgate.admission.it;

import static io.confgate.admission.it.ProsodyHarness.MAIN;
import static io.confgate.admission.it.ProsodyHarness.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.server.ServerSettings;
import io.confgate.admission.xmpp.XmppSignaling;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jitsi.xmpp.extensions.jitsimeet.ConferenceIq;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * The standalone server as an operator runs it: a jicofo.conf-style HOCON file with Jicofo's own keys and
 * {@code admission.xmpp.enabled}, against a Prosody whose peers refuse what Jitsi's modules refuse. The
 * component's address is not configured: it is discovered from the main domain's disco#info.
 */
class ProsodyServerTest {
    @TempDir
    Path dir;

    private ProsodyHarness prosody(boolean withVisitorsModule) throws Exception {
        ProsodyHarness prosody = ProsodyHarness.create(dir.resolve("prosody"), List.of("v1"), withVisitorsModule);
        prosody.registerFocus();
        prosody.register("host", MAIN);
        prosody.register("client", MAIN);
        prosody.register("ann", "v1.test");
        prosody.start();
        return prosody;
    }

    /** A jicofo.conf with Jicofo's own keys for the main Prosody and node v1, on the harness's port. */
    private ServerSettings settings(ProsodyHarness prosody, String extra) throws Exception {
        Path file = dir.resolve("jicofo.conf");
        Files.writeString(file, prosody.jicofoConf() + extra + "\n");
        ServerSettings s = ServerSettings.load(Optional.of(file)).withPort(0);
        return s.withOperation(s.operation().withStorePath(Optional.of(dir.resolve("store")))
                .withDrainDelay(java.time.Duration.ZERO));
    }

    @Test
    void aRedirectedVisitorsNodeRoomIsCreatedAndConnectedAndTheVisitorJoinsIt() throws Exception {
        try (ProsodyHarness prosody = prosody(true);
             HttpHarness http = HttpHarness.start(settings(prosody, "admission.link.seat-grace = 2 seconds"))) {
            XmppSignaling xmpp = http.server.xmpp().orElseThrow();
            await(prosody, "main and v1 connected, component discovered", () -> xmpp.isConnected("main")
                    && xmpp.isConnected("v1") && http.server.engine().visitorsAvailable());
            assertEquals("visitors." + MAIN, xmpp.visitorsComponent().orElseThrow().toString());

            String room = "hall@conference." + MAIN;
            XMPPTCPConnection host = ProsodyVisitorsTest.login(prosody, "host", MAIN);
            XMPPTCPConnection ann = ProsodyVisitorsTest.login(prosody, "ann", "v1.test");
            try {
                MultiUserChatManager.getInstanceFor(host).getMultiUserChat(JoinRequest.parseRoom(room))
                        .create(Resourcepart.from("host")).makeInstant();
                for (int i = 1; i <= 2; i++) {
                    assertTrue(HttpHarness.parse(http.post(HttpHarness.webClientBody(room, "s" + i))).path("vnode")
                            .isMissingNode(), "join " + i + " is in the main room");
                }
                JsonNode third = HttpHarness.parse(http.post(HttpHarness.webClientBody(room, "s3")));
                assertEquals("v1", third.path("vnode").asText());
                assertEquals("focus@v1.test", third.path("focusJid").asText());
                // s1 and s2 were told "main room" and nobody reports their joins here (no event-sync): the link
                // waits for them until admission.link.seat-grace, then their seats are given up and v1 is linked.
                assertEquals(0, xmpp.stats().vnodeLinksConnected());
                await(prosody, "the component acknowledged connect-vnode after the grace",
                        () -> xmpp.stats().vnodeLinksConnected() == 1);
                assertEquals(0, http.server.engine().totals().reservedSeats(), "the two seats were given up");
                assertEquals(2, http.server.engine().totals().seatsGivenUp());

                MultiUserChat annInNode = MultiUserChatManager.getInstanceFor(ann)
                        .getMultiUserChat(JoinRequest.parseRoom("hall@conference.v1.test"));
                annInNode.join(Resourcepart.from("ann"));
                assertTrue(annInNode.isJoined(), "the visitor is in the node's room");

                String metrics = metrics(http);
                assertEquals(1.0, sample(metrics, "admission_xmpp_connected{connection=\"main\"}"));
                assertEquals(1.0, sample(metrics, "admission_xmpp_connected{connection=\"v1\"}"));
                assertEquals(1.0, sample(metrics, "admission_visitors_available"));
                // The reset's disconnect-vnode (the first link after a start), then the connect-vnode.
                assertEquals(2.0, sample(metrics, "admission_xmpp_vnode_links_total{result=\"acknowledged\"}"));
                assertEquals(1.0, sample(metrics, "admission_xmpp_vnode_links_total{result=\"reset\"}"));
                assertEquals(1.0, sample(metrics, "admission_xmpp_vnode_links_connected"));
                assertEquals(2.0, sample(metrics, "admission_seats_given_up_total"));
                assertEquals(0.0, sample(metrics, "admission_xmpp_vnode_links_total{result=\"dropped\"}"));
                assertEquals(0.0, sample(metrics, "admission_xmpp_component_discovery_failures_total"));
            } finally {
                host.disconnect();
                ann.disconnect();
            }
        }
    }

    /**
     * A second process logging in with the server's account and resource (a copy of the server, or Jicofo given the
     * same resource) replaces its session: counted, logged once, and the next login only after retry-max, so the
     * two do not log each other out many times a second.
     */
    @Test
    void aSessionReplacedByAnotherLoginIsCountedAndRetriedSlowly() throws Exception {
        try (ProsodyHarness prosody = prosody(true);
             HttpHarness http = HttpHarness.start(settings(prosody, ""))) {
            XmppSignaling xmpp = http.server.xmpp().orElseThrow();
            await(prosody, "main connected", () -> xmpp.isConnected("main"));
            XMPPTCPConnection intruder = new XMPPTCPConnection(
                    org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration.builder()
                            .setUsernameAndPassword("focus", PASSWORD).setXmppDomain(MAIN).setHost("127.0.0.1")
                            .setPort(prosody.port).setResource("admission")
                            .setSecurityMode(org.jivesoftware.smack.ConnectionConfiguration.SecurityMode.disabled)
                            .build());
            try {
                intruder.connect().login();
                await(prosody, "the replaced session is counted", () -> xmpp.stats().sessionConflicts() == 1);
                Thread.sleep(300); // less than retry-max (1 s): no login back yet
                assertTrue(intruder.isAuthenticated(), "not fought over at once");
                await(prosody, "logged in again after retry-max", () -> xmpp.isConnected("main"));
                assertEquals(1.0, sample(metrics(http), "admission_xmpp_session_conflicts_total"));
            } finally {
                intruder.disconnect();
            }
        }
    }

    /** Jicofo's VisitorsManager.enabled needs the component's address: until then nobody is redirected. */
    @Test
    void withoutAComponentNobodyIsRedirectedAndTheFailuresAreCounted() throws Exception {
        try (ProsodyHarness prosody = prosody(false);
             HttpHarness http = HttpHarness.start(settings(prosody, ""))) {
            XmppSignaling xmpp = http.server.xmpp().orElseThrow();
            await(prosody, "discovery tried and failed twice", () -> xmpp.stats().componentDiscoveryFailures() >= 2);
            assertTrue(xmpp.visitorsComponent().isEmpty());
            String room = "hall@conference." + MAIN;
            long before = System.nanoTime();
            for (int i = 1; i <= 3; i++) {
                JsonNode answer = HttpHarness.parse(http.post(HttpHarness.webClientBody(room, "s" + i)));
                assertTrue(answer.path("vnode").isMissingNode(), "not redirected: " + answer);
                assertEquals("false", answer.path("properties").path("visitors-supported").asText());
            }
            assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(5), "answers never wait for XMPP");
            String metrics = metrics(http);
            assertEquals(0.0, sample(metrics, "admission_visitors_available"));
            assertTrue(sample(metrics, "admission_xmpp_component_discovery_failures_total") >= 2);
        }
    }

    @Test
    void aConferenceIqsTokenIsCheckedAsTheBearerHeaderIs() throws Exception {
        try (ProsodyHarness prosody = prosody(true);
             HttpHarness http = HttpHarness.start(settings(prosody, "admission.jwt.hs256-secret = \"it-secret\""))) {
            XmppSignaling xmpp = http.server.xmpp().orElseThrow();
            await(prosody, "main connected", () -> xmpp.isConnected("main"));
            XMPPTCPConnection client = ProsodyVisitorsTest.login(prosody, "client", MAIN);
            try {
                String good = JWT.create().withClaim("context", Map.of("user", Map.of("id", "alice")))
                        .sign(Algorithm.HMAC256("it-secret"));
                String forged = JWT.create().withClaim("context", Map.of("user", Map.of("id", "alice")))
                        .sign(Algorithm.HMAC256("not-the-secret"));
                ConferenceIq answer = assertInstanceOf(ConferenceIq.class,
                        client.sendIqRequestAndWaitForResponse(conference(good)));
                assertEquals(Boolean.TRUE, answer.isReady());
                XMPPException.XMPPErrorException refused = assertThrows(XMPPException.XMPPErrorException.class,
                        () -> client.sendIqRequestAndWaitForResponse(conference(forged)));
                assertEquals(StanzaError.Condition.not_authorized, refused.getStanzaError().getCondition());
                assertEquals(1, xmpp.stats().refusedTokens());
                assertEquals(1.0, sample(metrics(http), "admission_xmpp_refused_tokens_total"));
                // As over HTTP, a request without a token is placed by its session alone.
                assertInstanceOf(ConferenceIq.class, client.sendIqRequestAndWaitForResponse(conference(null)));
            } finally {
                client.disconnect();
            }
        }
    }

    private static ConferenceIq conference(String token) throws Exception {
        ConferenceIq request = new ConferenceIq();
        request.setType(IQ.Type.set);
        request.setTo(JidCreate.from("focus@" + MAIN + "/admission")); // the server's own resource
        request.setRoom(JoinRequest.parseRoom("tokens@conference." + MAIN));
        request.setSessionId("s-" + (token == null ? "none" : token.hashCode()));
        if (token != null) {
            request.setToken(token);
        }
        request.addProperty("visitors-version", "1");
        return request;
    }

    private static String metrics(HttpHarness http) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(http.uri("/metrics")).GET().build());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private static double sample(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        if (!m.find()) {
            fail("no sample " + series + " in:\n" + metrics);
        }
        return Double.parseDouble(m.group(1));
    }

    private static void await(ProsodyHarness prosody, String what, BooleanSupplier condition)
            throws InterruptedException {
        prosody.await(what, condition);
    }
}

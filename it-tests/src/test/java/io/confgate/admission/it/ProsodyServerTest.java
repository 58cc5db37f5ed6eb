package io.confgate.admission.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.http.ServerSettings;
import io.confgate.admission.xmpp.XmppSignaling;
import io.confgate.admission.xmpp.stanza.ConferenceIq;
import io.confgate.admission.xmpp.stanza.VisitorsCommand;
import io.confgate.admission.xmpp.stanza.VisitorsIq;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The standalone server as an operator runs it: a jicofo.conf-style HOCON file with
 * {@code admission.xmpp.enabled}, against a real Prosody. The visitors component's address is not
 * configured: the server discovers it from the main domain's disco#info, as Jicofo does.
 */
class ProsodyServerTest {
    private static final String PASSWORD = "it-pass";

    @TempDir
    static Path dir;
    static ProsodyHarness prosody;
    static XMPPTCPConnection component;
    static final BlockingQueue<VisitorsCommand> componentInbox = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        // main.test advertises its visitors component; bare.test (a main domain without one) does not.
        prosody = ProsodyHarness.create(dir, List.of("main.test", "bare.test", "v1.test"),
                Map.of("main.test", "visitors@main.test/component"));
        for (String[] account : new String[][] {{"focus", "main.test"}, {"visitors", "main.test"},
                {"client", "main.test"}, {"focus", "bare.test"}, {"focus", "v1.test"}}) {
            prosody.register(account[0], account[1], PASSWORD);
        }
        prosody.start();
        component = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
                .setUsernameAndPassword("visitors", PASSWORD).setXmppDomain("main.test").setHost("127.0.0.1")
                .setPort(prosody.port).setResource("component").setSecurityMode(SecurityMode.disabled).build());
        component.setUseStreamManagement(false);
        component.registerIQRequestHandler(new AbstractIqRequestHandler(VisitorsIq.ELEMENT, VisitorsIq.NAMESPACE,
                IQ.Type.set, IQRequestHandler.Mode.async) {
            @Override
            public IQ handleIQRequest(IQ request) {
                componentInbox.addAll(((VisitorsIq) request).commands());
                return IQ.createResultIQ(request);
            }
        });
        component.connect().login();
    }

    @AfterAll
    static void stop() throws Exception {
        if (component != null) {
            component.disconnect();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    /** A jicofo.conf with Jicofo's own keys for the main Prosody and node v1, on the harness's port. */
    private static ServerSettings settings(String mainDomain) throws Exception {
        Path file = dir.resolve(mainDomain + ".conf");
        Files.writeString(file, """
                jicofo.visitors.max-participants = 2
                jicofo.xmpp.client {
                  hostname = "127.0.0.1", port = %1$d, domain = "%2$s", password = "%3$s",
                  conference-muc-jid = "conference.%2$s", use-tls = false
                }
                jicofo.xmpp.visitors.v1 {
                  hostname = "127.0.0.1", port = %1$d, domain = "v1.test", xmpp-domain = "v1.test",
                  conference-service = "conference.v1.test", password = "%3$s", use-tls = false
                }
                admission.xmpp { enabled = true, retry-min = 200 ms, retry-max = 1 s, reply-timeout = 5 s }
                """.formatted(prosody.port, mainDomain, PASSWORD));
        return ServerSettings.load(Optional.of(file)).withPort(0);
    }

    @Test
    void theServerConnectsDiscoversTheComponentAndSendsConnectVnode() throws Exception {
        try (HttpHarness http = HttpHarness.start(settings("main.test"))) {
            XmppSignaling xmpp = http.server.xmpp().orElseThrow();
            await("main and v1 connected, component discovered", () -> xmpp.isConnected("main")
                    && xmpp.isConnected("v1") && xmpp.visitorsComponent().isPresent());
            assertEquals("visitors@main.test/component", xmpp.visitorsComponent().orElseThrow().toString());

            String room = "hall@conference.main.test";
            for (int i = 1; i <= 2; i++) {
                assertTrue(HttpHarness.parse(http.post(HttpHarness.webClientBody(room, "s" + i))).path("vnode")
                        .isMissingNode(), "join " + i + " is in the main room");
            }
            JsonNode third = HttpHarness.parse(http.post(HttpHarness.webClientBody(room, "s3")));
            assertEquals("v1", third.path("vnode").asText());
            assertEquals("focus@v1.test", third.path("focusJid").asText());
            VisitorsCommand command = componentInbox.poll(ProsodyHarness.timeout().toSeconds(), TimeUnit.SECONDS);
            assertEquals("v1", assertInstanceOf(VisitorsCommand.ConnectVnode.class, command,
                    "the component hears of the new node link").vnode());

            await("the acknowledgement counted", () -> xmpp.stats().vnodeIqsAcknowledged() == 1);
            String metrics = metrics(http);
            assertEquals(1.0, sample(metrics, "admission_xmpp_connected{connection=\"main\"}"));
            assertEquals(1.0, sample(metrics, "admission_xmpp_connected{connection=\"v1\"}"));
            assertEquals(1.0, sample(metrics, "admission_xmpp_vnode_iqs_total{result=\"acknowledged\"}"));
            assertEquals(0.0, sample(metrics, "admission_xmpp_vnode_iqs_total{result=\"dropped\"}"));
            assertEquals(0.0, sample(metrics, "admission_xmpp_component_discovery_failures_total"));
        }
        assertTrue(componentInbox.isEmpty(), "nothing else was sent: " + componentInbox);
    }

    @Test
    void withoutAComponentAnswersStillFlowAndTheFailureIsCounted() throws Exception {
        try (HttpHarness http = HttpHarness.start(settings("bare.test"))) {
            XmppSignaling xmpp = http.server.xmpp().orElseThrow();
            await("discovery tried and failed twice", () -> xmpp.stats().componentDiscoveryFailures() >= 2);
            assertTrue(xmpp.visitorsComponent().isEmpty());

            String room = "hall@conference.bare.test";
            for (int i = 1; i <= 2; i++) {
                http.post(HttpHarness.webClientBody(room, "s" + i));
            }
            long before = System.nanoTime();
            JsonNode third = HttpHarness.parse(http.post(HttpHarness.webClientBody(room, "s3")));
            assertEquals("v1", third.path("vnode").asText(), "the decision does not wait for XMPP");
            assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(5), "answered well within the reply timeout");
            await("the unsent connect-vnode counted as a failed attempt", () -> xmpp.stats().vnodeIqFailures() >= 1);
            String metrics = metrics(http);
            assertTrue(sample(metrics, "admission_xmpp_component_discovery_failures_total") >= 2);
            assertTrue(sample(metrics, "admission_xmpp_vnode_iqs_total{result=\"failed\"}") >= 1);
        }
    }

    @Test
    void aConferenceIqsTokenIsCheckedAsTheBearerHeaderIs() throws Exception {
        ServerSettings settings = settings("main.test").withTokens(new ServerSettings.Tokens(Optional.of("it-secret"),
                List.of(), List.of(), List.of(), java.time.Duration.ofSeconds(30)));
        try (HttpHarness http = HttpHarness.start(settings)) {
            XmppSignaling xmpp = http.server.xmpp().orElseThrow();
            await("main connected", () -> xmpp.isConnected("main"));
            XMPPTCPConnection client = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
                    .setUsernameAndPassword("client", PASSWORD).setXmppDomain("main.test").setHost("127.0.0.1")
                    .setPort(prosody.port).setResource("web").setSecurityMode(SecurityMode.disabled).build());
            client.setUseStreamManagement(false);
            client.connect().login();
            try {
                String good = JWT.create().withClaim("context", Map.of("user", Map.of("id", "alice")))
                        .sign(Algorithm.HMAC256("it-secret"));
                String forged = JWT.create().withClaim("context", Map.of("user", Map.of("id", "alice")))
                        .sign(Algorithm.HMAC256("not-the-secret"));
                ConferenceIq answer = assertInstanceOf(ConferenceIq.class,
                        client.sendIqRequestAndWaitForResponse(conference(Optional.of(good))));
                assertEquals(Optional.of(true), answer.ready());
                XMPPException.XMPPErrorException refused = assertThrows(XMPPException.XMPPErrorException.class,
                        () -> client.sendIqRequestAndWaitForResponse(conference(Optional.of(forged))));
                assertEquals(StanzaError.Condition.not_authorized, refused.getStanzaError().getCondition());
                assertEquals(1, xmpp.stats().refusedTokens());
                assertEquals(1.0, sample(metrics(http), "admission_xmpp_refused_tokens_total"));
                // As over HTTP, a request without a token is placed by its session alone.
                assertInstanceOf(ConferenceIq.class, client.sendIqRequestAndWaitForResponse(conference(Optional.empty())));
            } finally {
                client.disconnect();
            }
        }
    }

    private static ConferenceIq conference(Optional<String> token) throws Exception {
        ConferenceIq request = new ConferenceIq(JoinRequest.parseRoom("tokens@conference.main.test"), Optional.empty(),
                Optional.of("s-" + token.hashCode()), token, Optional.empty(), Optional.empty(), Optional.empty(),
                Map.of("visitors-version", "1"));
        request.setType(IQ.Type.set);
        request.setTo(JidCreate.from("focus@main.test/focus"));
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

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        prosody.await(what, condition);
    }
}

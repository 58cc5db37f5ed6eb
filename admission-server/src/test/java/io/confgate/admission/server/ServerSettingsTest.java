package io.confgate.admission.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.BalancingPolicy;
import io.confgate.admission.NoNodeFallback;
import io.confgate.admission.NodeState;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.server.internal.JwtTokenReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSettingsTest {
    @TempDir
    Path dir;

    private Path write(String hocon) throws IOException {
        Path file = dir.resolve("jicofo.conf");
        Files.writeString(file, hocon);
        return file;
    }

    private String failure(String hocon) throws IOException {
        Path file = write(hocon);
        return assertThrows(IllegalArgumentException.class, () -> ServerSettings.load(Optional.of(file))).getMessage();
    }

    @Test
    void theEmbeddedDefaultIsTheReferenceDeployment() {
        ServerSettings s = ServerSettings.load(Optional.empty());
        assertTrue(s.admission().enabled());
        assertEquals(30, s.admission().maxParticipants());
        assertEquals(8, s.admission().nodes().size());
        VisitorNode v1 = s.admission().nodes().get(0);
        assertEquals("v1", v1.id());
        assertEquals("focus@auth.v1.meet.jitsi", v1.focusJid().toString());
        assertEquals(2000, v1.capacity());
        assertEquals("v8", s.admission().nodes().get(7).id());
        assertEquals(Duration.ofSeconds(60), s.admission().vnodeJoinLatency());
        assertEquals(8888, s.rest().port());
        assertEquals(65_536, s.http().maxBodyBytes());
        assertEquals("focus@auth.meet.jitsi", s.http().mainFocusJid().toString());
        assertFalse(s.tokens().verifying());
        assertTrue(s.admission().promotion().autoAllow(), "auto_allow_visitor_promotion, as the deployment notes");
        assertTrue(s.moderation().developmentModeratorToken());
        assertTrue(s.xmpp().isEmpty(), "the demo's nodes have no Prosody: XMPP stays off");
    }

    private static final String XMPP = """
            admission.xmpp.enabled = true
            jicofo.xmpp.client {
              hostname = "10.0.0.1"
              domain = "auth.meet.example"
              xmpp-domain = "meet.example"
              password = "main-secret"
              conference-muc-jid = "conference.meet.example"
            }
            jicofo.xmpp.visitors {
              v1 { hostname = "10.0.0.11", port = 52223, domain = "auth.meet.example", xmpp-domain = "v1.meet.example",
                   conference-service = "muc.v1.meet.example", password = "v1-secret", disable-certificate-verification = true }
              v2 { hostname = "10.0.0.12", domain = "auth.meet.example", xmpp-domain = "v2.meet.example",
                   password = "v2-secret", use-tls = false }
              v3 { enabled = false, domain = "auth.v3" }
            }
            """;

    @Test
    void xmppIsReadFromJicofosKeys() throws IOException {
        ServerSettings s = ServerSettings.load(Optional.of(write(XMPP)));
        var x = s.xmpp().orElseThrow();
        assertEquals("10.0.0.1", x.main().host());
        assertEquals(5222, x.main().port());
        assertEquals("auth.meet.example", x.main().domain().toString());
        assertEquals("meet.example", x.main().xmppDomain().toString());
        assertEquals("focus", x.main().username());
        assertEquals("main-secret", x.main().password());
        assertTrue(x.main().useTls());
        assertEquals("conference.meet.example", x.conferenceDomain().toString());
        assertTrue(x.visitorsComponent().isEmpty(), "discovered unless configured");
        assertEquals(java.util.List.of("v1", "v2"), java.util.List.copyOf(x.nodes().keySet()), "v3 is disabled");
        var v1 = x.nodes().get("v1");
        assertEquals(52223, v1.port());
        assertEquals("muc.v1.meet.example", v1.conferenceService().toString());
        assertEquals("v1.meet.example", v1.xmppDomain().toString());
        assertTrue(v1.disableCertificateVerification());
        var v2 = x.nodes().get("v2");
        assertEquals(5222, v2.port());
        assertEquals("conference.v2.meet.example", v2.conferenceService().toString());
        assertFalse(v2.useTls());
        assertFalse(v2.disableCertificateVerification());
        assertEquals(Duration.ofSeconds(15), x.replyTimeout());
        assertEquals(5, x.maxSendAttempts());
        assertFalse(x.toString().contains("secret"), "passwords stay out of logs: " + x);

        ServerSettings configured = ServerSettings.load(Optional.of(write(XMPP
                + "admission.xmpp { visitors-component-address = \"visitors.meet.example\", reply-timeout = 3 s }")));
        assertEquals("visitors.meet.example", configured.xmpp().orElseThrow().visitorsComponent().orElseThrow().toString());
        assertEquals(Duration.ofSeconds(3), configured.xmpp().orElseThrow().replyTimeout());
    }

    @Test
    void xmppMistakesFailNamingTheKey() throws IOException {
        assertTrue(failure(XMPP + "jicofo.xmpp.client.password = \"\"")
                .contains("'jicofo.xmpp.client.password': required"));
        assertTrue(failure(XMPP + "jicofo.xmpp.visitors.v2.xmpp-domain = null")
                .contains("'jicofo.xmpp.visitors.\"v2\".xmpp-domain': required"));
        assertTrue(failure(XMPP + "jicofo.xmpp.visitors.v1.hostname = null")
                .contains("'jicofo.xmpp.visitors.\"v1\".hostname': required"));
        assertTrue(failure(XMPP + "jicofo.xmpp.visitors.v1.port = 70000")
                .contains("'jicofo.xmpp.visitors.\"v1\".port': must be 1..65535"));
        assertTrue(failure(XMPP + "admission.xmpp.visitors-component-address = \"a@b@c\"")
                .contains("'admission.xmpp.visitors-component-address'"));
        assertTrue(failure(XMPP + "jicofo.xmpp.client.conference-muc-jid = \"bad domain\"")
                .contains("'jicofo.xmpp.client.conference-muc-jid'"));
        assertTrue(failure(XMPP + "admission.xmpp.retry-min = 0 s").contains("admission.xmpp"));
    }

    @Test
    void promotionSettingsAreReadAndCheckedByKey() throws IOException {
        ServerSettings s = ServerSettings.load(Optional.of(write("""
                admission.promotion {
                  ticket-lifetime = 2 minutes
                  max-pending-per-room = 7
                  max-wait = 10 seconds
                }
                """)));
        assertFalse(s.admission().promotion().autoAllow(), "off unless configured");
        assertFalse(s.moderation().developmentModeratorToken(), "never on outside the embedded demo");
        assertEquals(Duration.ofMinutes(2), s.admission().promotion().ticketLifetime());
        assertEquals(7, s.admission().promotion().maxPendingPerRoom());
        assertEquals(Duration.ofSeconds(10), s.http().maxWait());
        assertTrue(failure("admission.promotion.max-pending-per-room = 0")
                .contains("admission.promotion.max-pending-per-room"));
        assertTrue(failure("admission.promotion.ticket-lifetime = 0 seconds")
                .contains("admission.promotion.ticket-lifetime"));
        assertTrue(failure("admission.promotion.max-wait = 1 hour").contains("admission.promotion.max-wait"));
    }

    @Test
    void anOperatorsJicofoConfIsReadWithItsOwnKeys() throws IOException {
        Path file = write("""
                jicofo {
                  visitors {
                    enabled = true
                    max-participants = 50
                    max-visitors-per-node = 100
                    require-muc-config-flag = true
                    enable-live-room = true
                    vnode-join-latency-interval = 15 seconds
                  }
                  xmpp.client { username = "focus", domain = "auth.example.com" }
                  xmpp.visitors {
                    v2 { conference-service = "conference.v2.example.com", xmpp-domain = "v2.example.com" }
                    v1 { domain = "auth.v1.example.com" }
                    v3 { enabled = false, domain = "auth.v3.example.com" }
                  }
                  rest { host = "127.0.0.1", port = 9090 }
                }
                admission {
                  balancing = spread
                  no-node-fallback = refuse
                  ignored-domains = ["recorder.example.com"]
                  nodes.v2 { capacity = 500, weight = 2.0, draining = true }
                  http.max-body-size = 8 KiB
                  jwt { hs256-secret = "s", audiences = ["jitsi"] }
                }
                """);
        ServerSettings s = ServerSettings.load(Optional.of(file));
        assertEquals(50, s.admission().maxParticipants());
        assertEquals(100, s.admission().maxVisitorsPerNode());
        assertTrue(s.admission().requireMucConfigFlag());
        assertTrue(s.admission().enableLiveRoom());
        assertEquals(Duration.ofSeconds(15), s.admission().vnodeJoinLatency());
        assertEquals(BalancingPolicy.SPREAD, s.admission().balancing());
        assertEquals(NoNodeFallback.REFUSE, s.admission().noNodeFallback());
        assertEquals(2, s.admission().nodes().size(), "v3 is disabled");
        VisitorNode v1 = s.admission().nodes().get(0);
        VisitorNode v2 = s.admission().nodes().get(1);
        assertEquals("focus@auth.v1.example.com", v1.focusJid().toString());
        assertEquals("focus@auth.v2.example.com", v2.focusJid().toString(), "auth.<xmpp-domain> by default");
        assertEquals(500, v2.capacity());
        assertEquals(2.0, v2.weight());
        assertEquals(NodeState.DRAINING, v2.initialState());
        assertEquals(9090, s.rest().port());
        assertEquals(8192, s.http().maxBodyBytes());
        assertEquals("focus@auth.example.com", s.http().mainFocusJid().toString());
        assertTrue(s.tokens().verifying());
        assertTrue(s.admission().ignoredDomains().contains("recorder.example.com"));
    }

    @Test
    void aMisspelledKeyStopsTheStartNamingTheNearestOne() throws IOException {
        String failure = failure("jicofo.visitors.max-participants = 10\nadmission.limits.max-room = 5");
        assertTrue(failure.startsWith("unknown configuration key 'admission.limits.max-room' (")
                && failure.endsWith("did you mean 'admission.limits.max-rooms'?"), failure);
        assertTrue(failure("admission.http.trusted-proxy = [\"10.0.0.0/8\"]")
                .contains("did you mean 'admission.http.trusted-proxies'?"));
        // Jicofo's own keys the server does not read, and Jicofo's blocks, are not ours to refuse.
        ServerSettings.load(Optional.of(write("jicofo.visitors { notification-interval = 15 seconds }\n"
                + "jicofo.bridge.max-bridge-participants = 80\njicofo.visitors.max-participant = 10")));
    }

    /** Defaults live in the reference files; the Java defaults are read from them or checked against them here. */
    @Test
    void theJavaDefaultsAreTheReferenceFiles() {
        ServerSettings reference = io.confgate.admission.server.internal.HoconSettings.referenceDefaults();
        assertEquals(io.confgate.admission.http.HttpSettings.ClientLimits.defaults(), reference.http().clients());
        assertEquals(Duration.ofSeconds(2), ServerSettings.Operation.inMemory().drainDelay(), "reference: 2 seconds");
        assertEquals(reference.operation().withStorePath(Optional.empty()), ServerSettings.Operation.inMemory());
        assertEquals(reference.tokens(), ServerSettings.Tokens.unverified());
        assertEquals(reference.moderation(), ServerSettings.Moderation.defaults());
    }

    @Test
    void invalidValuesFailNamingTheKeyAndReason() throws IOException {
        assertTrue(failure("jicofo.visitors.max-participants = -1").contains("jicofo.visitors.max-participants"));
        assertTrue(failure("jicofo.visitors.max-participants = lots").contains("max-participants"));
        assertTrue(failure("admission.balancing = random").contains("'admission.balancing': 'random' is not one of"));
        assertTrue(failure("jicofo.visitors.vnode-join-latency-interval = 0 seconds")
                .contains("vnode-join-latency-interval"));
        assertTrue(failure("jicofo.rest.port = 70000").contains("jicofo.rest.port"));
        assertTrue(failure("jicofo.xmpp.visitors.v1 { hostname = \"x\" }").contains("needs domain or xmpp-domain"));
        assertTrue(failure("jicofo.xmpp.visitors.v1 { domain = \"a.b\" }\nadmission.nodes.v1.capacity = 0")
                .contains("admission.nodes.v1"));
        assertTrue(failure("admission.nodes.v9.capacity = 10").contains("no such node"));
        assertTrue(failure("jicofo { visitors { ").contains("not valid HOCON"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.load(Optional.of(dir.resolve("missing.conf")))).getMessage()
                .contains("does not exist"));
    }

    @Test
    void aBadPublicKeyFailsWhenTheServerIsAssembled() throws IOException {
        ServerSettings s = ServerSettings.load(Optional.of(write("admission.jwt.rs256-public-keys = [\"nope\"]")));
        String message = assertThrows(IllegalArgumentException.class, () -> JwtTokenReader.create(s.tokens())).getMessage();
        assertTrue(message.contains("admission.jwt.rs256-public-keys[0]"), message);
    }
}

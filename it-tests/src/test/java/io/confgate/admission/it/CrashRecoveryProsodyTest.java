package io.confgate.admission.it;

import static io.confgate.admission.it.ProsodyHarness.MAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.confgate.admission.JoinRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * kill -9 of the standalone server mid-conference, with Prosody running, and a start on its store. The main
 * Prosody still counts the node as connected for the conference (mod_visitors.lua {@code connect_vnode} records
 * {@code visitors_nodes[room].nodes[<node muc>]} and answers a repeated connect with nothing; only
 * {@code disconnect_vnode} forgets it), and the test peer keeps that state as the module does. A start that
 * trusted the old link would send a connect the component ignores, and the visitor would wait in the node's
 * pre-join queue for good; the first link of a conference after a start goes the full way instead
 * (disconnect-vnode, settle, the node room made again, connect-vnode).
 *
 * <p>Run twice: with the link written to the store before the kill, and with nothing written (the write interval
 * longer than the test: the case where the process died within a second of linking).
 */
class CrashRecoveryProsodyTest {
    private static final String ROOM = "hall@conference." + MAIN;

    @TempDir
    Path dir;

    private Path config(ProsodyHarness prosody, int port, String writeInterval) throws Exception {
        Path file = dir.resolve("jicofo.conf");
        Files.writeString(file, prosody.jicofoConf() + """
                jicofo.rest { host = "127.0.0.1", port = %d }
                admission.store { path = "%s", write-interval = %s }
                admission.http.drain-delay = 0 s
                """.formatted(port, dir.resolve("store"), writeInterval));
        return file;
    }

    /** A conference request asking to watch ({@code properties.visitor}, as a visitor link does). */
    private static String watcher(String session) {
        return "{\"room\":\"" + ROOM + "\",\"sessionId\":\"" + session
                + "\",\"properties\":{\"visitors-version\":1,\"visitor\":true}}";
    }

    private static void awaitReady(ProsodyHarness prosody, ServerProcess server) throws InterruptedException {
        prosody.await("the server logged in on main and v1 and found the component", () -> {
            try {
                return server.metric("admission_xmpp_connected{connection=\"main\"}") == 1
                        && server.metric("admission_xmpp_connected{connection=\"v1\"}") == 1
                        && server.metric("admission_visitors_available") == 1;
            } catch (Exception notYet) {
                return false;
            }
        });
    }

    private static void awaitLinked(ProsodyHarness prosody, ServerProcess server) throws InterruptedException {
        prosody.await("connect-vnode acknowledged", () -> {
            try {
                return server.metric("admission_xmpp_vnode_links_connected") == 1;
            } catch (Exception notYet) {
                return false;
            }
        });
    }

    @ParameterizedTest(name = "write interval {0}")
    @ValueSource(strings = {"200 ms", "10 minutes"})
    void afterKill9ANewlyRedirectedVisitorGetsIntoTheNodeRoom(String writeInterval) throws Exception {
        int port = ServerProcess.freePort();
        try (ProsodyHarness prosody = ProsodyHarness.create(dir.resolve("prosody"), List.of("v1"), true)) {
            prosody.registerFocus();
            prosody.register("host", MAIN);
            prosody.register("ann", "v1.test");
            prosody.start();
            Path config = config(prosody, port, writeInterval);
            XMPPTCPConnection host = ProsodyVisitorsTest.login(prosody, "host", MAIN);
            XMPPTCPConnection ann = ProsodyVisitorsTest.login(prosody, "ann", "v1.test");
            try {
                MultiUserChatManager.getInstanceFor(host).getMultiUserChat(JoinRequest.parseRoom(ROOM))
                        .create(Resourcepart.from("host")).makeInstant();

                ServerProcess first = ServerProcess.start(config, port, dir);
                try {
                    awaitReady(prosody, first);
                    JsonNode answer = HttpHarness.JSON.readTree(first.post("/conference-request/v1", watcher("w1"))
                            .body());
                    assertEquals("v1", answer.path("vnode").asText(), answer.toString());
                    awaitLinked(prosody, first);
                    if (!writeInterval.startsWith("10")) {
                        prosody.await("the link is in the store", () -> {
                            try {
                                return first.metric("admission_store_writes_total") >= 1;
                            } catch (Exception notYet) {
                                return false;
                            }
                        });
                    }
                } finally {
                    first.kill9(); // the main Prosody still has v1 as connected for the conference
                }

                try (ServerProcess second = ServerProcess.start(config, port, dir)) {
                    awaitReady(prosody, second);
                    JsonNode answer = HttpHarness.JSON.readTree(second.post("/conference-request/v1", watcher("w2"))
                            .body());
                    assertEquals("v1", answer.path("vnode").asText(), answer.toString());
                    awaitLinked(prosody, second);
                    MultiUserChat annInNode = MultiUserChatManager.getInstanceFor(ann)
                            .getMultiUserChat(JoinRequest.parseRoom("hall@conference.v1.test"));
                    annInNode.join(Resourcepart.from("ann")); // waits for the self-presence; throws on timeout
                    assertTrue(annInNode.isJoined(), "the visitor is in the node room");
                    assertTrue(second.metric("admission_xmpp_vnode_links_total{result=\"reset\"}") >= 1,
                            "the first link after the start was reset first");
                }
            } finally {
                host.disconnect();
                ann.disconnect();
            }
        }
    }
}

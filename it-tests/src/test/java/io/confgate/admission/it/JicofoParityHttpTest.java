package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.parse;
import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.confgate.admission.server.ServerSettings;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a Jitsi Meet client and a room-sharded proxy see, as Jicofo would show it. */
class JicofoParityHttpTest {
    private static final String ROOM = "townhall@conference.meet.jitsi";
    private HttpHarness http;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
    }

    /** jitsi-meet appends {@code ?room=NAME} to conferenceRequestUrl (HAProxy shards route on it). */
    @Test
    void theRoomQueryIsAcceptedOnEveryEndpoint() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        HttpResponse<String> conference = http.send(http.json("/conference-request/v1?room=townhall",
                webClientBody(ROOM, "s1")).build());
        assertEquals(200, conference.statusCode(), conference.body());
        for (int i = 2; i <= 30; i++) {
            http.post(webClientBody(ROOM, "s" + i));
        }
        String p = "/conference-request/v1/promotion/";
        HttpResponse<String> raised = http.send(http.json(p + "raise-hand?room=townhall",
                "{\"room\":\"" + ROOM + "\",\"sessionId\":\"viewer\"}").build());
        assertEquals(200, raised.statusCode(), raised.body());
        String requestId = parse(raised).get("requestId").asText();
        // A GET names its room by the query alone: the bare name is a room of the main MUC service.
        HttpResponse<String> status = http.send(HttpRequest.newBuilder(
                http.uri(p + "status?room=townhall&requestId=" + requestId)).GET().build());
        assertEquals(200, status.statusCode(), status.body());
        assertEquals(ROOM, parse(status).get("room").asText());
        HttpResponse<String> pending = http.send(HttpRequest.newBuilder(http.uri(p + "pending?room=townhall"))
                .header("Authorization", "Bearer " + http.server.developmentModeratorToken().orElseThrow()).GET().build());
        assertEquals(200, pending.statusCode(), pending.body());
        HttpResponse<String> lowered = http.send(http.json(p + "lower-hand?room=townhall", "{\"room\":\"" + ROOM
                + "\",\"requestId\":\"" + requestId + "\",\"sessionId\":\"viewer\"}").build());
        assertEquals(400, lowered.statusCode(), "auto-allowed, so no longer pending: " + lowered.body());
    }

    /** Jicofo's ConferenceIqHandler.parseToken: without validation, a token it cannot read is ignored. */
    @Test
    void withoutAKeyAnUnreadableTokenIsIgnoredNotRefused() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        for (String authorization : new String[] {"Bearer not-a-token", "Token abc", "Bearer a.b.c"}) {
            HttpResponse<String> r = http.send(http.json("/conference-request/v1",
                    webClientBody(ROOM, "t-" + authorization.hashCode())).header("Authorization", authorization).build());
            assertEquals(200, r.statusCode(), authorization + " -> " + r.body());
            assertEquals("UNDER_LIMIT", r.headers().firstValue("X-Admission-Reason").orElseThrow());
        }
    }

    @Test
    void whileTheVisitorsComponentIsUnknownNobodyIsRedirected() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        http.server.engine().setVisitorsAvailable(false);
        for (int i = 0; i < 31; i++) {
            JsonNode answer = parse(http.post(webClientBody(ROOM, "u" + i)));
            assertFalse(answer.has("vnode"), answer.toString());
            assertEquals("false", answer.get("properties").get("visitors-supported").asText());
        }
        http.server.engine().setVisitorsAvailable(true);
        JsonNode later = parse(http.post(webClientBody(ROOM, "later")));
        assertEquals("true", later.get("properties").get("visitors-supported").asText());
    }

    /** jicofo reference.conf: visitors off, 50 participants, 500 per node; the embedded demo keeps the seed's shape. */
    @Test
    void jicofosDefaultsUnderJicofosKeys(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.conf"), "# nothing set\n");
        ServerSettings defaults = ServerSettings.load(Optional.of(empty));
        assertFalse(defaults.admission().enabled());
        assertEquals(50, defaults.admission().maxParticipants());
        assertEquals(500, defaults.admission().maxVisitorsPerNode());
        ServerSettings demo = ServerSettings.load(Optional.empty());
        assertTrue(demo.admission().enabled());
        assertEquals(30, demo.admission().maxParticipants());
        assertEquals(8, demo.admission().nodes().size());
        assertEquals(2000, demo.admission().nodes().get(0).capacity());
    }
}

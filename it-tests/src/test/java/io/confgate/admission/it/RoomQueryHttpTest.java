package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.parse;
import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.server.ServerSettings;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One request, one room: a sharding proxy routes on {@code ?room=}, so a query naming another room than the body,
 * or spelled so that the proxy's hash and the server's room differ, is a 400 on every endpoint, and counted.
 */
class RoomQueryHttpTest {
    private static final String ROOM = "townhall@conference.meet.jitsi";
    private static final String SECRET = "room-query-secret";
    private static final String P = "/conference-request/v1/promotion/";
    private HttpHarness http;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = http.json(path, body);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build());
    }

    private static String q(String room) {
        return "?room=" + URLEncoder.encode(room, StandardCharsets.UTF_8);
    }

    private static void assertMismatch(HttpResponse<String> r, String what) throws Exception {
        assertEquals(400, r.statusCode(), what + ": " + r.body());
        assertTrue(r.body().contains("ROOM_MISMATCH") || parse(r).path("code").asText().equals("ROOM_MISMATCH"),
                what + ": " + r.body());
    }

    @Test
    void theConferenceRequestsQueryMustNameItsRoomSpelledAsAProxyHashesIt() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        String body = webClientBody(ROOM, "s1");
        for (String same : List.of("townhall", "TownHall", ROOM, "TOWNHALL@Conference.Meet.Jitsi")) {
            assertEquals(200, post("/conference-request/v1" + q(same), body, null).statusCode(), same);
        }
        assertMismatch(post("/conference-request/v1" + q("lobby"), body, null), "another room");
        assertMismatch(post("/conference-request/v1" + q("townhall@conference.other.example"), body, null),
                "another service");
        assertMismatch(post("/conference-request/v1" + q("\uff54\uff4f\uff57\uff4e\uff48\uff41\uff4c\uff4c"), body,
                null), "full-width letters: the same room to the server, another hash to the proxy");
        for (String broken : List.of("townhall@conference.meet.jitsi/x", "townhall@@x", "townhall@")) {
            assertMismatch(post("/conference-request/v1" + q(broken), body, null), "not an address: " + broken);
        }
        assertEquals(0, http.server.engine().totals().reservedSeats() - 1, "only the accepted asks placed anyone");
        // A breakout room's request goes to the URL with its main room's ?room= (jitsi-meet keeps the URL): taken.
        assertEquals(200, post("/conference-request/v1" + q("townhall"), webClientBody(
                "1b7f0c2e-breakout@breakout.meet.jitsi", "s1"), null).statusCode());
        String metrics = http.send(HttpRequest.newBuilder(http.uri("/metrics")).GET().build()).body();
        assertTrue(metrics.contains("admission_http_room_mismatches_total 6.0"), metrics);
    }

    @Test
    void everyPromotionActionRefusesAMismatchedQuery() throws Exception {
        ServerSettings base = HttpHarness.embedded().withTokens(new ServerSettings.Tokens(Optional.of(SECRET),
                List.of(), List.of(), List.of(), Duration.ofSeconds(30)));
        http = HttpHarness.start(base.withAdmission(base.admission().toBuilder().promotion(base.admission()
                .promotion().toBuilder().autoAllow(false).build()).build()));
        String moderator = ItSupport.token(SECRET, "host", true);
        String visitor = ItSupport.token(SECRET, "v", false);
        ItSupport.fillRoom(b -> http.post(b).statusCode(), ROOM, "m");
        String raised = post(P + "raise-hand" + q("townhall"), "{\"room\":\"" + ROOM + "\",\"sessionId\":\"v\"}",
                visitor).body();
        String id = HttpHarness.JSON.readTree(raised).path("requestId").asText();
        assertTrue(!id.isEmpty(), raised);
        Map<String, String> actions = Map.of(
                "raise-hand", "{\"room\":\"" + ROOM + "\",\"sessionId\":\"w\"}",
                "lower-hand", "{\"room\":\"" + ROOM + "\",\"requestId\":\"" + id + "\",\"sessionId\":\"v\"}",
                "approve", "{\"room\":\"" + ROOM + "\",\"requestIds\":[\"" + id + "\"]}",
                "deny", "{\"room\":\"" + ROOM + "\",\"requestIds\":[\"" + id + "\"]}",
                "approve-all", "{\"room\":\"" + ROOM + "\"}",
                "demote", "{\"room\":\"" + ROOM + "\",\"memberKey\":\"m3\"}");
        for (Map.Entry<String, String> a : actions.entrySet()) {
            assertMismatch(post(P + a.getKey() + q("elsewhere"), a.getValue(), moderator), a.getKey());
        }
        for (String get : List.of("status" + q("\uff54ownhall") + "&requestId=" + id, "pending" + q("TOWN\u0048ALL\u00a0"))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(http.uri(P + get))
                    .header("Authorization", "Bearer " + moderator).GET().build());
            assertEquals(400, r.statusCode(), get + ": " + r.body());
        }
        assertEquals("pending", HttpHarness.JSON.readTree(http.send(HttpRequest.newBuilder(http.uri(P + "status"
                + q("townhall") + "&requestId=" + id)).GET().build()).body()).path("state").asText(),
                "nothing the refused calls named was changed");
    }
}

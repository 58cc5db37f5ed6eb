package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.parse;
import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.RoomFacts;
import io.confgate.admission.core.AdmissionEngines;
import io.confgate.admission.http.HttpSettings;
import io.confgate.admission.server.ServerSettings;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConferenceRequestHttpTest {
    private static final String ROOM = "townhall@conference.meet.jitsi";
    private HttpHarness http;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
    }

    private void fillMainRoom(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            HttpResponse<String> r = http.post(webClientBody(ROOM, "main-" + i));
            assertEquals(200, r.statusCode(), r.body());
            assertFalse(parse(r).has("vnode"), r.body());
        }
    }

    @Test
    void aWebClientGetsTheMainRoomThenTheThirtyFirstAVisitorNode() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        HttpResponse<String> first = http.post(webClientBody(ROOM, "s1"));
        assertEquals(200, first.statusCode());
        JsonNode main = parse(first);
        assertEquals(ROOM, main.get("room").asText());
        assertTrue(main.get("ready").asBoolean());
        assertEquals("focus@auth.meet.jitsi", main.get("focusJid").asText());
        assertEquals("s1", main.get("sessionId").asText());
        assertFalse(main.has("vnode"));
        assertEquals("true", main.get("properties").get("visitors-supported").asText());
        assertEquals("false", main.get("properties").get("authentication").asText());
        assertEquals("UNDER_LIMIT", first.headers().firstValue("X-Admission-Reason").orElseThrow());

        fillMainRoom(29);
        HttpResponse<String> thirtyFirst = http.post(webClientBody(ROOM, "s31"));
        JsonNode visitor = parse(thirtyFirst);
        assertEquals(200, thirtyFirst.statusCode());
        assertEquals("v1", visitor.get("vnode").asText());
        assertEquals("focus@auth.v1.meet.jitsi", visitor.get("focusJid").asText());
        assertTrue(visitor.get("ready").asBoolean());
        assertEquals("ROOM_FULL", thirtyFirst.headers().firstValue("X-Admission-Reason").orElseThrow());
    }

    @Test
    void sessionIdsAreEchoedExactlyWhateverTheyHold() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        // As JSON text: quotes and backslashes, control characters, non-ASCII, a pair beyond the BMP,
        // and an unpaired surrogate, which only a JSON escape can carry.
        List<String> sessions = List.of("q\\\"b\\\\s", "t\\tn\\n\\u0001", "ünï", "😀", "lone\\ud800s");
        for (int i = 0; i < 32; i++) { // main answers, then visitor answers once the room is full
            String session = sessions.get(i % sessions.size());
            HttpResponse<String> r = http.post("""
                    {"room":"%s","sessionId":"%s-%d","properties":{"visitors-version":1}}""".formatted(ROOM, session, i));
            assertEquals(200, r.statusCode(), r.body());
            String expected = HttpHarness.JSON.readTree("\"" + session + "-" + i + "\"").asText();
            assertEquals(expected, parse(r).get("sessionId").asText(), r.body());
            assertEquals(i >= 30, parse(r).has("vnode"), r.body());
        }
    }

    @Test
    void theBarePathAnswersToo() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        HttpResponse<String> r = http.send(http.json("/conference-request", webClientBody(ROOM, "s1")).build());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(ROOM, parse(r).get("room").asText());
    }

    @Test
    void aClientAskingToBeAVisitorIsRedirectedAtOnce() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        HttpResponse<String> r = http.post("""
                {"room":"%s","sessionId":"v","properties":{"visitors-version":"1","visitor":true}}""".formatted(ROOM));
        assertEquals("v1", parse(r).get("vnode").asText());
        assertEquals("VISITOR_REQUESTED", r.headers().firstValue("X-Admission-Reason").orElseThrow());
    }

    @Test
    void aClientWithoutVisitorSupportStaysInMain() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        fillMainRoom(30);
        HttpResponse<String> r = http.post("{\"room\":\"" + ROOM + "\",\"sessionId\":\"old\"}");
        assertFalse(parse(r).has("vnode"));
        assertEquals("NO_VISITOR_SUPPORT", r.headers().firstValue("X-Admission-Reason").orElseThrow());
    }

    @Test
    void anUnverifiedBearerTokenPlacesAListedModeratorInAFullRoom() throws Exception {
        ServerSettings settings = HttpHarness.embedded();
        AdmissionEngine engine = AdmissionEngines.builder(settings.admission())
                .roomFacts(room -> RoomFacts.builder().moderators(Set.of("alice")).build()).build();
        http = HttpHarness.start(settings, engine);
        fillMainRoom(30);
        String token = JWT.create().withClaim("context", Map.of("user", Map.of("id", "alice")))
                .sign(Algorithm.HMAC256("anything"));
        HttpResponse<String> r = http.send(http.json("/conference-request/v1", webClientBody(ROOM, "alice-1"))
                .header("Authorization", "Bearer " + token).build());
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(parse(r).has("vnode"));
        assertEquals("ALLOWED_LIST", r.headers().firstValue("X-Admission-Reason").orElseThrow());
    }

    @Test
    void verifiedTokensAreCheckedForSignatureExpiryAndAudience() throws Exception {
        ServerSettings settings = HttpHarness.embedded().withTokens(new ServerSettings.Tokens(
                Optional.of("s3cret"), List.of(), List.of("jitsi"), List.of("my-app"), Duration.ZERO));
        http = HttpHarness.start(settings);
        Algorithm good = Algorithm.HMAC256("s3cret");
        String valid = JWT.create().withAudience("jitsi").withIssuer("my-app")
                .withExpiresAt(Instant.now().plusSeconds(300)).withClaim("context", Map.of("group", "g1"))
                .sign(good);
        assertEquals(200, withToken(valid).statusCode());

        String forged = JWT.create().withAudience("jitsi").withIssuer("my-app").sign(Algorithm.HMAC256("guess"));
        String expired = JWT.create().withAudience("jitsi").withIssuer("my-app")
                .withExpiresAt(Instant.now().minusSeconds(60)).sign(good);
        String notYet = JWT.create().withAudience("jitsi").withIssuer("my-app")
                .withNotBefore(Instant.now().plusSeconds(600)).sign(good);
        String otherAudience = JWT.create().withAudience("elsewhere").withIssuer("my-app").sign(good);
        String otherIssuer = JWT.create().withAudience("jitsi").withIssuer("someone").sign(good);
        // A 403 here reaches no listener in lib-jitsi-meet (the page would wait for good): the request is placed as
        // an anonymous client's, and counted.
        for (String bad : List.of(forged, expired, notYet, otherAudience, otherIssuer, "not.a.jwt", "garbage")) {
            HttpResponse<String> r = withToken(bad);
            assertEquals(200, r.statusCode(), bad + " -> " + r.body());
            assertEquals("IGNORED", r.headers().firstValue("X-Admission-Token").orElseThrow(), bad);
            assertTrue(parse(r).get("ready").asBoolean(), r.body());
        }
        HttpResponse<String> basic = http.send(http.json("/conference-request/v1", webClientBody(ROOM, "b"))
                .header("Authorization", "Basic dXNlcjpwYXNz").build());
        assertEquals(200, basic.statusCode());
        assertEquals("IGNORED", basic.headers().firstValue("X-Admission-Token").orElseThrow());
        assertTrue(withToken(valid).headers().firstValue("X-Admission-Token").isEmpty(), "a valid token is used");
        String metrics = http.send(HttpRequest.newBuilder(http.uri("/metrics")).GET().build()).body();
        assertTrue(metrics.contains("admission_http_ignored_tokens_total 8.0"), metrics);
    }

    private HttpResponse<String> withToken(String token) throws Exception {
        return http.send(http.json("/conference-request/v1", webClientBody(ROOM, "t-" + token.hashCode()))
                .header("Authorization", "Bearer " + token).build());
    }

    /** Jicofo queues a client that asked to watch (or may not join the main room) while the room is not live. */
    @Test
    void aRoomThatIsNotLiveQueuesVisitors() throws Exception {
        ServerSettings base = HttpHarness.embedded();
        ServerSettings settings = base.withAdmission(base.admission().toBuilder().enableLiveRoom(true).build());
        AdmissionEngine engine = AdmissionEngines.builder(settings.admission())
                .roomFacts(room -> RoomFacts.builder().live(false).build()).build();
        http = HttpHarness.start(settings, engine);
        fillMainRoom(30);
        HttpResponse<String> r = http.post(webClientBody(ROOM, "early").replace("\"visitor\":false", "\"visitor\":true"));
        assertEquals(200, r.statusCode());
        JsonNode queued = parse(r);
        assertFalse(queued.get("ready").asBoolean());
        assertEquals("false", queued.get("properties").get("live").asText());
        assertFalse(queued.has("vnode"));
    }

    @Test
    void corsPreflightAndResponsesFollowTheAllowedOrigins() throws Exception {
        ServerSettings base = HttpHarness.embedded();
        ServerSettings settings = base.withHttp(base.http().withCorsAllowedOrigins(List.of("https://meet.example.com"))
                .withSipGatewayEnabled(Optional.of(true)));
        http = HttpHarness.start(settings);
        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(http.uri("/conference-request/v1"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://meet.example.com")
                .header("Access-Control-Request-Method", "POST").build());
        assertEquals(204, preflight.statusCode());
        assertEquals("https://meet.example.com",
                preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow().contains("POST"));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow()
                .contains("Authorization"));

        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(http.uri("/conference-request/v1"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example.org").build());
        assertEquals(403, foreign.statusCode());
        assertTrue(foreign.headers().firstValue("Access-Control-Allow-Origin").isEmpty());

        HttpResponse<String> post = http.send(http.json("/conference-request/v1", webClientBody(ROOM, "c"))
                .header("Origin", "https://meet.example.com").build());
        assertEquals("https://meet.example.com", post.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertEquals("true", parse(post).get("properties").get("sipGatewayEnabled").asText());
    }

    @Test
    void healthVersionAndMetrics() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        http.post(webClientBody(ROOM, "m1"));
        assertEquals(200, http.send(HttpRequest.newBuilder(http.uri("/about/health")).build()).statusCode());
        JsonNode version = parse(http.send(HttpRequest.newBuilder(http.uri("/about/version")).build()));
        assertEquals("confgate-admission", version.get("name").asText());
        assertTrue(version.get("version").asText().matches("\\d+\\.\\d+\\.\\d+.*"), version.toString());
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(http.uri("/metrics")).build());
        assertEquals(200, metrics.statusCode());
        String text = metrics.body();
        assertTrue(text.contains("admission_decisions_total{outcome=\"MAIN\",reason=\"UNDER_LIMIT\"} 1.0"), text);
        assertTrue(text.contains("admission_node_load{node=\"v8\"} 0.0"), text);
        assertTrue(text.contains("admission_node_state{node=\"v8\",state=\"up\"} 1.0"), text);
        assertTrue(text.contains("admission_node_state{node=\"v8\",state=\"down\"} 0.0"), text);
        assertTrue(text.contains("admission_reserved_seats 1.0"), text);
        assertTrue(text.contains("admission_http_request_duration_seconds_bucket"), text);
        assertTrue(text.contains("admission_node_overflow_total{node=\"v1\"} 0.0"), text);
        assertEquals(404, http.send(HttpRequest.newBuilder(http.uri("/nope")).build()).statusCode());
    }

    @Test
    void configuredMainFocusAndAuthenticationAreAnswered() throws Exception {
        ServerSettings base = HttpHarness.embedded();
        ServerSettings settings = new ServerSettings(base.admission(), base.rest(), new HttpSettings(
                1024, List.of(), io.confgate.admission.JoinRequest.parseRoom("focus@auth.example.com"),
                base.http().conferenceService(), true, Optional.empty(), base.http().maxWait()), base.tokens());
        http = HttpHarness.start(settings);
        JsonNode r = parse(http.post(webClientBody(ROOM, "a")));
        assertEquals("focus@auth.example.com", r.get("focusJid").asText());
        assertEquals("true", r.get("properties").get("authentication").asText());
        assertFalse(r.get("properties").has("sipGatewayEnabled"));
    }
}

package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.parse;
import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.confgate.admission.http.HttpSettings;
import io.confgate.admission.server.ServerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What production does to a server: bad input that still got through, floods, slow clients, a stop. */
class HardeningHttpTest {
    private static final String ROOM = "townhall@conference.meet.jitsi";
    private static final String P = "/conference-request/v1/promotion/";
    private HttpHarness http;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
    }

    /** A raw HTTP/1.1 exchange: what a pooled client sees of the connection. */
    private String raw(String requestHead) throws IOException {
        try (Socket s = new Socket("127.0.0.1", http.server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(requestHead.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aMalformedQueryIsA400WithAReason() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(http.uri(P + "status?room=%25")).GET().build());
        assertEquals(400, r.statusCode(), r.body());
        String rawAnswer = raw("GET " + P + "status?room=% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(rawAnswer.startsWith("HTTP/1.1 400"), rawAnswer);
        assertTrue(rawAnswer.contains("\"error\""), rawAnswer);
        assertFalse(rawAnswer.contains("Exception"), rawAnswer);
    }

    @Test
    void everyAnswerAfterWhichTheServerClosesSaysConnectionClose() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        String tooLong = raw("GET /conference-request/v1?" + "x".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(tooLong.startsWith("HTTP/1.1 414"), tooLong.substring(0, Math.min(200, tooLong.length())));
        assertTrue(tooLong.toLowerCase().contains("connection: close"), tooLong);
        String bad = raw("GET /about/health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n");
        assertTrue(bad.startsWith("HTTP/1.1 400"), bad);
        assertTrue(bad.toLowerCase().contains("connection: close"), bad);
    }

    @Test
    void oneRoomUnderEverySpellingAnXmppServerTakesForIt() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        ItSupport.fillRoom(body -> http.post(body).statusCode(), "demo@conference.meet.jitsi", "s");
        JsonNode wide = parse(http.post(webClientBody("\uff44\uff45\uff4d\uff4f@Conference.Meet.Jitsi", "w")));
        assertEquals("v1", wide.path("vnode").asText(), "full-width letters name the same, full, room");
        assertEquals("demo@conference.meet.jitsi", wide.get("room").asText());
        HttpResponse<String> hidden = http.post(webClientBody("demo\u200b@conference.meet.jitsi", "z"));
        assertEquals(400, hidden.statusCode(), "a zero-width space is refused, not a new room: " + hidden.body());
        assertEquals(1, http.server.engine().totals().rooms());
    }

    @Test
    void aModeratorTokenActsOnlyInTheRoomItNames() throws Exception {
        String secret = "scope-secret";
        http = HttpHarness.start(HttpHarness.embedded().withTokens(new ServerSettings.Tokens(Optional.of(secret),
                List.of(), List.of(), List.of(), Duration.ofSeconds(30))));
        Map<String, Integer> byClaim = Map.of("other", 403, "*", 200, "townhall", 200, "TownHall", 200);
        for (Map.Entry<String, Integer> e : byClaim.entrySet()) {
            String token = JWT.create().withClaim("room", e.getKey())
                    .withClaim("context", Map.of("user", Map.of("id", "host", "moderator", true)))
                    .sign(Algorithm.HMAC256(secret));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(http.uri(P + "pending?room=" + ROOM))
                    .header("Authorization", "Bearer " + token).GET().build());
            assertEquals(e.getValue(), r.statusCode(), e.getKey() + " -> " + r.body());
        }
    }

    @Test
    void promotionCallsAreLimitedPerClientAddressNotPerChosenId() throws Exception {
        ServerSettings base = HttpHarness.embedded();
        http = HttpHarness.start(base.withHttp(base.http().withClients(new HttpSettings.ClientLimits(2, 100,
                List.of()))));
        int limited = 0;
        for (int i = 0; i < 20; i++) {
            // Every call invents a new session id, as a flood would.
            HttpResponse<String> r = http.send(http.json(P + "raise-hand", "{\"room\":\"" + ROOM
                    + "\",\"sessionId\":\"made-up-" + i + "\"}").header("X-Forwarded-For", "10.0.0." + i).build());
            if (r.statusCode() == 429) {
                assertEquals("RATE_LIMITED", parse(r).get("code").asText());
                limited++;
            }
        }
        assertTrue(limited >= 10, "an untrusted X-Forwarded-For changes nothing: " + limited + " of 20 limited");
    }

    /**
     * The nginx of a Jitsi deployment runs on the same host (seed 000): every call comes from 127.0.0.1. With the
     * default configuration (loopback and private proxies trusted) each visitor it forwards has its own budget.
     */
    @Test
    void behindALoopbackProxyEachForwardedClientHasItsOwnBudgetByDefault() throws Exception {
        ServerSettings base = HttpHarness.embedded(); // the harness lifts the limit for other tests: put it back
        http = HttpHarness.start(base.withHttp(base.http().withClients(HttpSettings.ClientLimits.defaults())));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = http.send(http.json(P + "raise-hand", "{\"room\":\"" + ROOM
                    + "\",\"sessionId\":\"v" + i + "\"}").header("X-Forwarded-For", "198.51.100." + i).build());
            assertEquals(200, r.statusCode(), r.body());
        }
        int limited = 0;
        for (int i = 0; i < 20; i++) { // one visitor past its 5 calls a second: that one is limited, alone
            HttpResponse<String> r = http.send(http.json(P + "raise-hand", "{\"room\":\"" + ROOM
                    + "\",\"sessionId\":\"v0\"}").header("X-Forwarded-For", "203.0.113.9, 198.51.100.0").build());
            limited += r.statusCode() == 429 ? 1 : 0;
        }
        assertTrue(limited >= 10, limited + " of 20 limited");
        HttpResponse<String> other = http.send(http.json(P + "raise-hand", "{\"room\":\"" + ROOM
                + "\",\"sessionId\":\"v1\"}").header("X-Forwarded-For", "198.51.100.1").build());
        assertEquals(200, other.statusCode(), "another visitor behind the same proxy is not: " + other.body());
        String metrics = http.send(HttpRequest.newBuilder(http.uri("/metrics")).GET().build()).body();
        assertTrue(metrics.contains("admission_http_responses_total{endpoint=\"promotion/raise-hand\",status=\"429\"}"),
                "429s are counted under the endpoint called:\n" + metrics);
    }

    @Test
    void trustedProxiesTakeCidrBlocksAndIpv6() throws Exception {
        ServerSettings base = HttpHarness.embedded();
        http = HttpHarness.start(base.withHttp(base.http().withClients(new HttpSettings.ClientLimits(2, 100,
                List.of("127.0.0.0/8", "::1")))));
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = http.send(http.json(P + "raise-hand", "{\"room\":\"" + ROOM
                    + "\",\"sessionId\":\"c" + i + "\"}").header("X-Forwarded-For", "2001:db8::" + (i + 1)).build());
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    /** No node for a visitor and fallback refuse: told to ask again (a node may be back by then), not a 503. */
    @Test
    void noNodeForAVisitorIsToldToAskAgain() throws Exception {
        ServerSettings base = HttpHarness.embedded();
        http = HttpHarness.start(base.withAdmission(base.admission().toBuilder()
                .noNodeFallback(io.confgate.admission.NoNodeFallback.REFUSE).build()));
        ItSupport.fillRoom(body -> http.post(body).statusCode(), ROOM, "m");
        for (io.confgate.admission.VisitorNode node : http.server.engine().config().nodes()) {
            http.server.engine().setNodeState(node.id(), io.confgate.admission.NodeState.DOWN);
        }
        HttpResponse<String> refused = http.post(webClientBody(ROOM, "late"));
        assertEquals(200, refused.statusCode(), refused.body());
        assertEquals("NO_NODE", refused.headers().firstValue("X-Admission-Reason").orElseThrow());
        assertFalse(parse(refused).get("ready").asBoolean(), refused.body());
        assertTrue(parse(refused).path("vnode").isMissingNode());
        http.server.engine().setNodeState("v1", io.confgate.admission.NodeState.UP);
        assertEquals("v1", parse(http.post(webClientBody(ROOM, "late"))).path("vnode").asText(),
                "asking again once a node is back places it");
    }

    /** Past a bound the web client is told to ask again (200, ready:false), not failed with a 503. */
    @Test
    void pastMaxRoomsANewRoomIsToldToAskAgainAndTheLimitIsInTheMetrics() throws Exception {
        ServerSettings base = HttpHarness.embedded();
        http = HttpHarness.start(base.withAdmission(base.admission().toBuilder().maxRooms(1).build()));
        assertEquals(200, http.post(webClientBody("one@conference.meet.jitsi", "a")).statusCode());
        HttpResponse<String> two = http.post(webClientBody("two@conference.meet.jitsi", "a"));
        assertEquals(200, two.statusCode());
        assertEquals("CAPACITY", two.headers().firstValue("X-Admission-Reason").orElseThrow());
        assertFalse(parse(two).get("ready").asBoolean(), two.body());
        assertTrue(parse(two).path("properties").path("live").isMissingNode(), "no live:false, which stops the client");
        String metrics = http.send(HttpRequest.newBuilder(http.uri("/metrics")).GET().build()).body();
        assertTrue(metrics.contains("admission_limit{limit=\"max-rooms\"} 1.0"), metrics);
        assertTrue(metrics.contains("admission_rooms 1.0"), metrics);
    }

    /**
     * Four hundred clients that send their headers and one body byte, then nothing: bodies are read without
     * holding a thread, so every normal request is still answered at once.
     */
    @Test
    void fourHundredStalledBodiesDoNotStopNormalAnswers() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                Socket s = new Socket("127.0.0.1", http.server.port());
                OutputStream out = s.getOutputStream();
                out.write(("POST /conference-request/v1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 200\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                stalled.add(s);
            }
            long start = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                HttpResponse<String> r = http.post(webClientBody(ROOM, "normal-" + i));
                assertEquals(200, r.statusCode(), r.body());
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "answered while 400 bodies stall");
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void aBodyTricklingBelowTheMinimumRateIsCutOff() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
        try (Socket s = new Socket("127.0.0.1", http.server.port())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /conference-request/v1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            String answer = "";
            InputStream in = s.getInputStream();
            for (int i = 0; i < 100 && answer.isEmpty(); i++) {
                try {
                    out.write('{');
                    out.flush();
                } catch (IOException closed) {
                    break; // the server let go of the connection
                }
                Thread.sleep(1_500);
                if (in.available() > 0) {
                    answer = new String(in.readNBytes(in.available()), StandardCharsets.US_ASCII);
                }
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(12), "cut off within seconds");
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), answer);
        }
    }

    /** SIGTERM's drain, as close() runs it: health 503 at once, a long poll answered, no request cut. */
    @Test
    void aDrainAnswersWhatIsInFlightAndHealthTurns503First() throws Exception {
        ServerSettings base = HttpHarness.embedded();
        http = HttpHarness.start(base.withOperation(base.operation().withDrainDelay(Duration.ofSeconds(1)))
                .withAdmission(base.admission().toBuilder().promotion(base.admission().promotion().toBuilder()
                        .autoAllow(false).build()).build()));
        ItSupport.fillRoom(body -> http.post(body).statusCode(), ROOM, "m");
        String id = parse(http.send(http.json(P + "raise-hand", "{\"room\":\"" + ROOM + "\",\"sessionId\":\"v\"}")
                .build())).get("requestId").asText();
        CompletableFuture<HttpResponse<String>> poll = http.client.sendAsync(HttpRequest.newBuilder(
                http.uri(P + "status?room=" + ROOM + "&requestId=" + id + "&wait=30")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300); // the poll is waiting
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
            try {
                http.server.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HttpResponse<String> answered = poll.get(5, TimeUnit.SECONDS);
        assertEquals(200, answered.statusCode(), "the long poll is answered, not cut");
        assertEquals("pending", parse(answered).get("state").asText());
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(http.uri("/about/health")).GET().build());
        assertEquals(503, health.statusCode(), "draining: the load balancer stops sending");
        assertEquals(200, http.post(webClientBody(ROOM, "still-served")).statusCode(), "during the drain delay");
        long started = System.nanoTime();
        HttpResponse<String> late = http.send(HttpRequest.newBuilder(http.uri(P + "status?room=" + ROOM + "&requestId="
                + id + "&wait=30")).GET().build());
        assertEquals("pending", parse(late).get("state").asText());
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "a poll started while draining is"
                + " answered at once, not cut at the stop");
        closing.get(15, TimeUnit.SECONDS);
        assertTrue(http.server.draining());
    }
}

package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.parse;
import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Ticker;
import io.confgate.admission.core.AdmissionEngines;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.server.ServerSettings;
import io.confgate.admission.promotion.PromotionConfig;
import io.confgate.admission.testing.Concurrently;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;

/** Promotion end to end over real HTTP: hands, moderators, tickets, demotion. */
class PromotionHttpTest {
    private static final String ROOM = "townhall@conference.meet.jitsi";
    private static final String SECRET = "it-promotion-secret";
    private static final String P = "/conference-request/v1/promotion/";

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = clock::get;
    private HttpHarness http;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
    }

    /** The reference deployment with a verified HS256 key, moderators deciding, and an injected clock. */
    private void start(boolean autoAllow) throws Exception {
        ServerSettings base = HttpHarness.embedded().withTokens(new ServerSettings.Tokens(Optional.of(SECRET),
                List.of(), List.of(), List.of(), Duration.ofSeconds(30)));
        ServerSettings settings = base.withAdmission(base.admission().toBuilder()
                .promotion(PromotionConfig.builder().autoAllow(autoAllow).ticketLifetime(Duration.ofMinutes(5)).build())
                .build());
        AdmissionEngine engine = AdmissionEngines.builder(settings.admission()).ticker(ticker).build();
        http = HttpHarness.start(settings, engine);
    }

    private static String token(String userId, boolean moderator) {
        return token(userId, moderator, SECRET);
    }

    private static String token(String userId, boolean moderator, String secret) {
        return ItSupport.token(secret, userId, moderator);
    }

    private static final String MODERATOR = token("host", true);

    private void fillMainRoom() throws Exception {
        ItSupport.fillRoom(body -> http.post(body).statusCode(), ROOM, "main-");
    }

    /** A visitor's own token: with a key configured, raising a hand needs one, and the ticket binds to its user. */
    private static String visitor(String session) {
        return token("visitor-" + session, false);
    }

    private HttpResponse<String> join(String session, String ticket) throws Exception {
        String body = """
                {"room":"%s","sessionId":"%s","promotionTicket":%s,"properties":{"visitors-version":1}}
                """.formatted(ROOM, session, ticket == null ? "null" : "\"" + ticket + "\"");
        return http.send(http.json("/conference-request/v1", body).header("Authorization", "Bearer " + visitor(session))
                .build());
    }

    private HttpResponse<String> post(String action, String body, String bearer) throws Exception {
        HttpRequest.Builder b = http.json(P + action, body);
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build());
    }

    private HttpResponse<String> get(String actionAndQuery, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.uri(P + actionAndQuery)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.GET().build());
    }

    private JsonNode raise(String session) throws Exception {
        HttpResponse<String> r = post("raise-hand", """
                {"room":"%s","sessionId":"%s","displayName":"Viewer %s","vnode":"v1"}
                """.formatted(ROOM, session, session), visitor(session));
        assertEquals(200, r.statusCode(), r.body());
        return parse(r);
    }

    private static String reason(HttpResponse<String> r) {
        return r.headers().firstValue("X-Admission-Reason").orElseThrow();
    }

    private static String ticketCheck(HttpResponse<String> r) {
        return r.headers().firstValue("X-Admission-Ticket").orElse("NONE");
    }

    private static String ids(List<String> ids) {
        return "[" + String.join(",", ids.stream().map(id -> "\"" + id + "\"").toList()) + "]";
    }

    @Test
    void automaticModeGivesATicketThatSeatsTheVisitorInTheFullRoom() throws Exception {
        start(true);
        fillMainRoom();
        assertTrue(parse(join("viewer", null)).has("vnode"));
        JsonNode hand = raise("viewer");
        assertEquals("approved", hand.get("state").asText());
        assertEquals("AUTO_ALLOWED", hand.get("reason").asText());
        assertEquals(300, hand.get("ticketValidForSeconds").asInt());

        HttpResponse<String> promoted = join("viewer", hand.get("ticket").asText());
        JsonNode body = parse(promoted);
        assertFalse(body.has("vnode"), promoted.body());
        assertEquals("focus@auth.meet.jitsi", body.get("focusJid").asText());
        assertEquals("true", body.get("properties").get("promoted").asText());
        assertEquals("PROMOTED", reason(promoted));
        assertEquals("REDEEMED", ticketCheck(promoted));
        assertEquals(31, http.server.engine().occupancy(room()).orElseThrow().mainOccupancy());
    }

    @Test
    void aModeratorApprovesOneAndDeniesAnother() throws Exception {
        start(false);
        fillMainRoom();
        JsonNode a = raise("a");
        JsonNode b = raise("b");
        assertEquals("pending", a.get("state").asText());
        assertFalse(a.has("ticket"));

        HttpResponse<String> pending = get("pending?room=" + ROOM, MODERATOR);
        assertEquals(200, pending.statusCode(), pending.body());
        List<String> listed = new ArrayList<>();
        parse(pending).get("hands").forEach(h -> listed.add(h.get("requestId").asText()));
        assertEquals(List.of(a.get("requestId").asText(), b.get("requestId").asText()), listed);

        HttpResponse<String> approved = post("approve", """
                {"room":"%s","requestIds":["%s"]}""".formatted(ROOM, a.get("requestId").asText()), MODERATOR);
        assertEquals(200, approved.statusCode(), approved.body());
        JsonNode approvedHand = parse(approved).get("hands").get(0);
        assertEquals("approved", approvedHand.get("state").asText());
        assertFalse(approvedHand.has("ticket"), "moderators never see a visitor's ticket");
        HttpResponse<String> denied = post("deny", """
                {"room":"%s","requestIds":["%s"]}""".formatted(ROOM, b.get("requestId").asText()), MODERATOR);
        assertEquals("denied", parse(denied).get("hands").get(0).get("state").asText());

        JsonNode statusA = parse(get("status?room=" + ROOM + "&requestId=" + a.get("requestId").asText(), null));
        assertEquals("MODERATOR_APPROVED", statusA.get("reason").asText());
        assertEquals("PROMOTED", reason(join("a", statusA.get("ticket").asText())));
        JsonNode statusB = parse(get("status?room=" + ROOM + "&requestId=" + b.get("requestId").asText(), null));
        assertEquals("MODERATOR_DENIED", statusB.get("reason").asText());
        assertTrue(parse(join("b", null)).has("vnode"));
    }

    @Test
    void aLongPollReturnsWhenTheModeratorDecides() throws Exception {
        start(false);
        String id = raise("waiter").get("requestId").asText();
        CompletableFuture<HttpResponse<String>> poll = http.client.sendAsync(HttpRequest.newBuilder(
                http.uri(P + "status?room=" + ROOM + "&requestId=" + id + "&wait=20")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        assertFalse(poll.isDone(), "the poll waits for a decision");
        post("approve", "{\"room\":\"%s\",\"requestIds\":[\"%s\"]}".formatted(ROOM, id), MODERATOR);
        HttpResponse<String> decided = poll.get(10, TimeUnit.SECONDS);
        assertEquals(200, decided.statusCode(), decided.body());
        assertEquals("approved", parse(decided).get("state").asText());
        assertTrue(parse(decided).has("ticket"));

        String other = raise("patient").get("requestId").asText();
        HttpResponse<String> timedOut = get("status?room=" + ROOM + "&requestId=" + other + "&wait=1", null);
        assertEquals("pending", parse(timedOut).get("state").asText());
    }

    @Test
    void approveAllPromotesExactlyTheThousandHandsRaisedConcurrentlyAndEachTicketWorksOnce() throws Exception {
        start(false);
        fillMainRoom();
        int hands = 1_000;
        Map<String, String> requestIdOf = new ConcurrentHashMap<>();
        parallel(hands, i -> requestIdOf.put("h" + i, raise("h" + i).get("requestId").asText()));
        assertEquals(hands, requestIdOf.size());
        // A hand lowered before the approval is not promoted.
        HttpResponse<String> lowered = post("lower-hand", "{\"room\":\"%s\",\"requestId\":\"%s\",\"sessionId\":\"h0\"}"
                .formatted(ROOM, requestIdOf.get("h0")), null);
        assertEquals("withdrawn", parse(lowered).get("state").asText());

        HttpResponse<String> all = post("approve-all", "{\"room\":\"" + ROOM + "\"}", MODERATOR);
        assertEquals(200, all.statusCode(), all.body());
        Set<String> approved = new HashSet<>();
        parse(all).get("hands").forEach(h -> approved.add(h.get("memberKey").asText()));
        assertEquals(hands - 1, approved.size());
        assertFalse(approved.contains("h0"));
        assertEquals(0, parse(get("pending?room=" + ROOM, MODERATOR)).get("hands").size());

        // Each approved visitor presents its ticket twice at once: one PROMOTED, one SEAT_HELD.
        Map<String, String> ticketOf = new ConcurrentHashMap<>();
        parallel(hands, i -> {
            JsonNode s = parse(get("status?room=" + ROOM + "&requestId=" + requestIdOf.get("h" + i), null));
            if (s.has("ticket")) {
                ticketOf.put("h" + i, s.get("ticket").asText());
            }
        });
        assertEquals(hands - 1, ticketOf.size());
        AtomicInteger promoted = new AtomicInteger();
        AtomicInteger held = new AtomicInteger();
        List<String> visitors = List.copyOf(ticketOf.keySet());
        parallel(visitors.size() * 2, i -> {
            String v = visitors.get(i % visitors.size());
            String r = reason(join(v, ticketOf.get(v)));
            (r.equals("PROMOTED") ? promoted : held).incrementAndGet();
            assertTrue(r.equals("PROMOTED") || r.equals("SEAT_HELD"), r);
        });
        assertEquals(hands - 1, promoted.get());
        assertEquals(hands - 1, held.get());
        assertEquals(30 + hands - 1, http.server.engine().occupancy(room()).orElseThrow().mainOccupancy());
        assertTrue(parse(join("h0", null)).has("vnode"), "the lowered hand stays a visitor");
    }

    @Test
    void ticketsExpireOnTheInjectedClockAndCannotBeReusedOrStolen() throws Exception {
        start(true);
        fillMainRoom();
        // Joined, so the room is still full after the five minutes below, when unconfirmed seats and
        // redirects have long expired.
        for (int i = 0; i < 30; i++) {
            http.server.engine().report(OccupancyEvent.MainJoined.of(room(), "main-" + i));
        }
        String late = raise("late").get("ticket").asText();
        String owner = raise("owner").get("ticket").asText();

        HttpResponse<String> theft = join("thief", owner);
        assertTrue(parse(theft).has("vnode"));
        assertEquals("OTHER_IDENTITY", ticketCheck(theft));
        assertEquals("PROMOTED", reason(join("owner", owner)), "the theft did not use it up");
        http.server.engine().report(OccupancyEvent.MainJoined.of(room(), "owner"));
        http.server.engine().report(new OccupancyEvent.MainLeft(room(), "owner"));
        HttpResponse<String> reuse = join("owner", owner);
        assertEquals("ALREADY_USED", ticketCheck(reuse));
        assertTrue(parse(reuse).has("vnode"));

        clock.addAndGet(Duration.ofMinutes(5).toNanos());
        HttpResponse<String> expired = join("late", late);
        assertEquals("EXPIRED", ticketCheck(expired));
        assertTrue(parse(expired).has("vnode"));
    }

    @Test
    void aDemotedParticipantIsSentToAVisitorNode() throws Exception {
        start(false);
        assertEquals(200, http.post(webClientBody(ROOM, "speaker")).statusCode());
        http.server.engine().report(OccupancyEvent.MainJoined.of(room(), "speaker"));
        assertEquals(403, post("demote", "{\"room\":\"%s\",\"memberKey\":\"speaker\"}".formatted(ROOM),
                token("guest", false)).statusCode());
        HttpResponse<String> demoted = post("demote", "{\"room\":\"%s\",\"memberKey\":\"speaker\"}".formatted(ROOM),
                MODERATOR);
        assertEquals(200, demoted.statusCode(), demoted.body());
        assertEquals(0, http.server.engine().occupancy(room()).orElseThrow().mainOccupancy());
        HttpResponse<String> next = http.post(webClientBody(ROOM, "speaker"));
        assertEquals("DEMOTED", reason(next));
        assertEquals("v1", parse(next).get("vnode").asText());
        HttpResponse<String> nobody = post("demote", "{\"room\":\"%s\",\"memberKey\":\"nobody\"}".formatted(ROOM),
                MODERATOR);
        assertEquals(400, nobody.statusCode());
        assertEquals("NOT_IN_MAIN", parse(nobody).get("code").asText());
    }

    @Test
    void forgedUnauthorizedAndMalformedModeratorCallsChangeNothing() throws Exception {
        start(false);
        String id = raise("v").get("requestId").asText();
        String approve = "{\"room\":\"%s\",\"requestIds\":[\"%s\"]}".formatted(ROOM, id);
        assertEquals(401, post("approve", approve, null).statusCode());
        assertEquals(403, post("approve", approve, token("host", true, "guessed-secret")).statusCode(), "forged");
        assertEquals(403, post("approve", approve, token("guest", false)).statusCode(), "not a moderator");
        assertEquals(403, post("approve", approve, "garbage").statusCode());
        assertEquals(401, get("pending?room=" + ROOM, null).statusCode());
        // A visitor cannot approve itself, even with a moderator token issued later.
        HttpResponse<String> own = http.send(http.json(P + "raise-hand",
                "{\"room\":\"%s\",\"sessionId\":\"self-s\"}".formatted(ROOM))
                .header("Authorization", "Bearer " + token("self", false)).build());
        assertEquals("pending", parse(own).get("state").asText(), own.body());
        HttpResponse<String> self = post("approve", "{\"room\":\"%s\",\"requestIds\":[\"%s\"]}"
                .formatted(ROOM, parse(own).get("requestId").asText()), token("self", true));
        assertEquals(403, self.statusCode(), self.body());
        assertEquals("SELF_APPROVAL", parse(self).get("code").asText());

        Map<String, Integer> bad = Map.of(
                "{\"room\":\"%s\",\"requestIds\":[\"no-such\"]}".formatted(ROOM), 400,
                "{\"room\":\"%s\",\"requestIds\":[]}".formatted(ROOM), 400,
                "{\"room\":\"%s\",\"requestIds\":[1,2]}".formatted(ROOM), 400,
                "{\"room\":\"not a jid\",\"requestIds\":[\"%s\"]}".formatted(id), 400,
                "{\"room\":\"other@conference.meet.jitsi\",\"requestIds\":[\"%s\"]}".formatted(id), 400,
                "{\"room\":", 400,
                "[]", 400);
        for (Map.Entry<String, Integer> e : bad.entrySet()) {
            HttpResponse<String> r = post("approve", e.getKey(), MODERATOR);
            assertEquals(e.getValue(), r.statusCode(), e.getKey() + " -> " + r.body());
            assertTrue(parse(r).has("error"));
            assertFalse(r.body().contains("Exception"), r.body());
        }
        assertEquals(405, get("approve", MODERATOR).statusCode());
        assertEquals(404, get("nothing-here", null).statusCode());
        assertEquals("pending", parse(get("status?room=" + ROOM + "&requestId=" + id, null)).get("state").asText());
        assertEquals(400, get("status?room=" + ROOM + "&requestId=" + id + "&wait=999", null).statusCode());
        // A member holding a main seat has nothing to raise a hand for.
        http.post(webClientBody(ROOM, "m"));
        HttpResponse<String> inMain = post("raise-hand", "{\"room\":\"%s\",\"sessionId\":\"m\"}".formatted(ROOM),
                visitor("m"));
        assertEquals(409, inMain.statusCode(), inMain.body());
        // With a key configured, a hand needs a token: made-up session ids alone cannot fill a room's queue.
        HttpResponse<String> anonymous = post("raise-hand", "{\"room\":\"%s\",\"sessionId\":\"anon\"}"
                .formatted(ROOM), null);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertEquals("NO_TOKEN", parse(anonymous).get("code").asText());
        assertEquals("ALREADY_IN_MAIN", parse(inMain).get("code").asText());
    }

    @Test
    void theRoomDestroyedMidFlowEndsWaitsAndVoidsTickets() throws Exception {
        start(false);
        fillMainRoom();
        String waiting = raise("w").get("requestId").asText();
        String approvedId = raise("a").get("requestId").asText();
        post("approve", "{\"room\":\"%s\",\"requestIds\":[\"%s\"]}".formatted(ROOM, approvedId), MODERATOR);
        String ticket = parse(get("status?room=" + ROOM + "&requestId=" + approvedId, null)).get("ticket").asText();
        CompletableFuture<HttpResponse<String>> poll = http.client.sendAsync(HttpRequest.newBuilder(
                http.uri(P + "status?room=" + ROOM + "&requestId=" + waiting + "&wait=20")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        http.server.engine().report(new OccupancyEvent.RoomDestroyed(room()));
        JsonNode ended = parse(poll.get(10, TimeUnit.SECONDS));
        assertEquals("expired", ended.get("state").asText());
        assertEquals("ROOM_DESTROYED", ended.get("reason").asText());
        HttpResponse<String> late = join("a", ticket);
        assertEquals("UNKNOWN", ticketCheck(late));
        assertEquals(400, get("status?room=" + ROOM + "&requestId=" + waiting, null).statusCode());
    }

    @Test
    void withoutAKeyModeratorCallsAreRefusedUnlessTheDevelopmentSwitchIsOn() throws Exception {
        ServerSettings plain = HttpHarness.embedded().withModeration(new ServerSettings.Moderation(false));
        http = HttpHarness.start(plain);
        assertTrue(http.server.developmentModeratorToken().isEmpty());
        HttpResponse<String> refused = get("pending?room=" + ROOM, token("host", true, "whatever"));
        assertEquals(403, refused.statusCode());
        assertTrue(parse(refused).get("error").asText().contains("verified token"), refused.body());
        http.close();

        http = HttpHarness.start(HttpHarness.embedded()); // the embedded default turns the switch on
        String dev = http.server.developmentModeratorToken().orElseThrow();
        assertEquals(200, get("pending?room=" + ROOM, dev).statusCode());
        assertEquals(403, get("pending?room=" + ROOM, token("host", true, "whatever")).statusCode(),
                "only the printed token is trusted");
        assertEquals(200, http.post(webClientBody(ROOM, "x")).statusCode(), "other tokens still place as before");
    }

    private EntityBareJid room() {
        return io.confgate.admission.JoinRequest.parseRoom(ROOM);
    }

    private static void parallel(int count, Concurrently.IntTask task) throws Exception {
        HttpHarness.parallel(16, count, task);
    }
}

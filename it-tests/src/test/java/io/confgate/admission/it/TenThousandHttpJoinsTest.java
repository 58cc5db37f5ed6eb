package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.NodeLoad;
import io.confgate.admission.RoomOccupancy;
import io.confgate.admission.server.ServerSettings;
import io.confgate.admission.promotion.PromotionConfig;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The reference deployment over real HTTP: 10,000 joins to one room from 16 concurrent clients, then
 * 100 of the visitors approved by a moderator rejoin the full main room.
 */
class TenThousandHttpJoinsTest {
    private static final String ROOM = "townhall@conference.meet.jitsi";

    @Test
    void exactlyMaxParticipantsInMainTheRestOnVisitorNodesThenOneHundredPromoted() throws Exception {
        // The embedded default with moderators deciding; its development moderator token is the moderator.
        ServerSettings base = HttpHarness.embedded();
        ServerSettings settings = base.withAdmission(base.admission().toBuilder()
                .promotion(PromotionConfig.builder().autoAllow(false).build()).build());
        try (HttpHarness http = HttpHarness.start(settings)) {
            AtomicInteger main = new AtomicInteger();
            Map<String, String> nodeOf = new ConcurrentHashMap<>();
            HttpHarness.parallel(16, 10_000, i -> {
                HttpResponse<String> r = http.post(webClientBody(ROOM, "p" + i));
                assertEquals(200, r.statusCode(), r.body());
                JsonNode answer = HttpHarness.parse(r);
                if (answer.has("vnode")) {
                    String node = answer.get("vnode").asText();
                    assertEquals("focus@auth." + node + ".meet.jitsi", answer.get("focusJid").asText());
                    nodeOf.put("p" + i, node);
                } else {
                    assertEquals("focus@auth.meet.jitsi", answer.get("focusJid").asText());
                    main.incrementAndGet();
                }
            });
            assertEquals(30, main.get());
            assertEquals(9_970, nodeOf.size());
            for (NodeLoad load : http.server.engine().nodeLoads()) {
                assertTrue(load.load() <= load.capacity(), load.toString());
                assertEquals(nodeOf.values().stream().filter(load.nodeId()::equals).count(), load.pending(),
                        load.toString());
            }

            // 100 visitors raise a hand at once; the moderator lists and approves exactly those.
            List<String> visitors = nodeOf.keySet().stream().sorted().toList();
            List<String> promoted = visitors.subList(0, 100);
            HttpHarness.parallel(16, promoted.size(), i -> {
                HttpResponse<String> r = http.send(http.json("/conference-request/v1/promotion/raise-hand",
                        "{\"room\":\"%s\",\"sessionId\":\"%s\",\"vnode\":\"%s\"}"
                                .formatted(ROOM, promoted.get(i), nodeOf.get(promoted.get(i)))).build());
                assertEquals("pending", HttpHarness.parse(r).get("state").asText(), r.body());
            });
            String moderator = "Bearer " + http.server.developmentModeratorToken().orElseThrow();
            JsonNode pending = HttpHarness.parse(http.send(HttpRequest.newBuilder(
                    http.uri("/conference-request/v1/promotion/pending?room=" + ROOM))
                    .header("Authorization", moderator).GET().build()));
            List<String> ids = new ArrayList<>();
            pending.get("hands").forEach(h -> ids.add("\"" + h.get("requestId").asText() + "\""));
            assertEquals(100, ids.size());
            HttpResponse<String> approved = http.send(http.json("/conference-request/v1/promotion/approve",
                    "{\"room\":\"%s\",\"requestIds\":[%s]}".formatted(ROOM, String.join(",", ids)))
                    .header("Authorization", moderator).build());
            assertEquals(100, HttpHarness.parse(approved).get("hands").size(), approved.body());

            // The approved rejoin while 1,000 other visitors ask again: those stay on their nodes.
            List<String> others = visitors.subList(100, 1_100);
            AtomicInteger promotedJoins = new AtomicInteger();
            HttpHarness.parallel(16, 1_100, i -> {
                String session = i < 100 ? promoted.get(i) : others.get(i - 100);
                HttpResponse<String> r = http.post(webClientBody(ROOM, session));
                JsonNode answer = HttpHarness.parse(r);
                if (i < 100) {
                    assertEquals("PROMOTED", r.headers().firstValue("X-Admission-Reason").orElseThrow());
                    assertFalse(answer.has("vnode"));
                    promotedJoins.incrementAndGet();
                } else {
                    assertEquals(nodeOf.get(session), answer.get("vnode").asText(), "stays on its node");
                }
            });
            assertEquals(100, promotedJoins.get());
            RoomOccupancy room = http.server.engine().occupancy(JoinRequest.parseRoom(ROOM)).orElseThrow();
            assertEquals(130, room.mainOccupancy());
            assertEquals(9_870, room.pendingVisitors());
            assertEquals(9_870, http.server.engine().nodeLoads().stream().mapToInt(NodeLoad::load).sum());
        }
    }
}

package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.parse;
import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.RoomOccupancy;
import io.confgate.admission.Ticker;
import io.confgate.admission.core.AdmissionEngines;
import io.confgate.admission.http.EventSyncSettings;
import io.confgate.admission.server.ServerSettings;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * mod_event_sync_component's reports over real HTTP, posted as the module posts them (jitsi-contrib
 * prosody-plugins {@code event_sync/mod_event_sync_component.lua}, {@code async_http_request}): POST to
 * {@code {api_prefix}/events/...}, Prosody's User-Agent, {@code Content-Type: application/json}, the
 * {@code api_headers} Authorization, compact JSON with integer epoch seconds, a retry resending the same body.
 */
class EventSyncHttpTest {
    private static final String ROOM = "catchup@conference.meet.jitsi";
    private static final EntityBareJid ROOM_JID = JoinRequest.parseRoom(ROOM);
    private static final String AUTH = "Bearer TOKEN-237958623045";
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private HttpHarness http;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
    }

    private void start() throws Exception {
        ServerSettings base = HttpHarness.embedded();
        ServerSettings settings = base.withEventSync(Optional.of(new EventSyncSettings(AUTH,
                JidCreate.domainBareFrom("meet.jitsi"), JidCreate.domainBareFrom("conference.meet.jitsi"),
                Map.of("v1", JidCreate.domainBareFrom("v1.meet.jitsi"), "v2", JidCreate.domainBareFrom("v2.meet.jitsi")))));
        Ticker ticker = nanos::get;
        AdmissionEngine engine = AdmissionEngines.builder(settings.admission()).ticker(ticker).build();
        http = HttpHarness.start(settings, engine);
    }

    private HttpResponse<String> post(String event, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.uri("/event-sync/events/" + event))
                .header("User-Agent", "Prosody (0.12.3; posix)").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build());
    }

    private HttpResponse<String> post(String event, String body) throws Exception {
        return post(event, body, AUTH);
    }

    private static String joined(String room, String occupantJid, int active) {
        return "{\"event_name\":\"muc-occupant-joined\",\"active_occupants_count\":" + active
                + ",\"room_name\":\"catchup\",\"occupant\":{\"occupant_jid\":\"" + occupantJid
                + "\",\"joined_at\":1700000005},\"is_breakout\":false,\"room_jid\":\"" + room + "\"}";
    }

    private static String left(String room, String occupantJid, int active) {
        return "{\"event_name\":\"muc-occupant-left\",\"active_occupants_count\":" + active
                + ",\"room_name\":\"catchup\",\"occupant\":{\"occupant_jid\":\"" + occupantJid
                + "\",\"joined_at\":1700000005,\"left_at\":1700000100},\"is_breakout\":false,\"room_jid\":\"" + room + "\"}";
    }

    private static String destroyed(String room) {
        return "{\"created_at\":1700000000,\"event_name\":\"muc-room-destroyed\",\"all_occupants\":{},"
                + "\"destroyed_at\":1700000110,\"room_name\":\"catchup\",\"is_breakout\":false,\"room_jid\":\"" + room + "\"}";
    }

    private RoomOccupancy occupancy() {
        return http.server.engine().occupancy(ROOM_JID).orElseThrow();
    }

    private static String result(HttpResponse<String> r) {
        assertEquals(204, r.statusCode(), r.body());
        return r.headers().firstValue("X-Admission-Event").orElseThrow();
    }

    @Test
    void thirtyReportedJoinsKeepTheRoomFullPastTheJoinLatency() throws Exception {
        start();
        assertEquals("APPLIED", result(post("room/created", "{\"created_at\":1700000000,\"event_name\":"
                + "\"muc-room-created\",\"room_name\":\"catchup\",\"is_breakout\":false,\"room_jid\":\"" + ROOM + "\"}")));
        for (int i = 1; i <= 30; i++) {
            assertFalse(parse(http.post(webClientBody(ROOM, "s" + i))).has("vnode"));
        }
        assertEquals(30, occupancy().reservedSeats());
        for (int i = 1; i <= 30; i++) {
            assertEquals("APPLIED", result(post("occupant/joined", joined(ROOM, "u" + i + "@meet.jitsi/r" + i, i))));
        }
        // A retry re-sends the same body: counted once.
        assertEquals("IGNORED_DUPLICATE", result(post("occupant/joined", joined(ROOM, "u30@meet.jitsi/r30", 30))));
        assertEquals(30, occupancy().mainMembers());
        assertEquals(0, occupancy().reservedSeats(), "each join took a held seat");

        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        http.server.engine().cleanUp();
        assertEquals(30, occupancy().mainOccupancy(), "full past the join latency");
        assertEquals("v1", parse(http.post(webClientBody(ROOM, "late"))).get("vnode").asText());

        assertEquals("APPLIED", result(post("occupant/left", left(ROOM, "u1@meet.jitsi/r1", 29))));
        assertEquals(29, occupancy().mainMembers());
        assertEquals("APPLIED", result(post("room/destroyed", destroyed(ROOM))));
        assertTrue(http.server.engine().occupancy(ROOM_JID).isEmpty(), "room destroyed clears the room");
    }

    @Test
    void nodeRoomsCountOnlyTheNodesOwnVisitors() throws Exception {
        start();
        for (int i = 1; i <= 30; i++) {
            http.post(webClientBody(ROOM, "s" + i));
        }
        for (int i = 0; i < 3; i++) {
            assertEquals("v1", parse(http.post(webClientBody(ROOM, "w" + i))).get("vnode").asText());
        }
        String nodeRoom = "catchup@conference.v1.meet.jitsi";
        assertEquals("IGNORED_NOT_JOINED", result(post("occupant/joined", joined(nodeRoom, "u1@meet.jitsi/r1", 1))),
                "a main participant mirrored into the node's room is not a visitor");
        for (int i = 0; i < 3; i++) {
            assertEquals("APPLIED", result(post("occupant/joined", joined(nodeRoom, "w" + i + "@v1.meet.jitsi/x", i + 2))));
        }
        RoomOccupancy o = occupancy();
        assertEquals(Map.of("v1", 3), o.visitorsByNode());
        assertEquals(0, o.pendingVisitors(), "each visitor took its redirect");
        assertEquals(3, http.server.engine().nodeLoads().get(0).load());
        assertEquals("APPLIED", result(post("occupant/left", left(nodeRoom, "w0@v1.meet.jitsi/x", 3))));
        assertEquals(2, http.server.engine().nodeLoads().get(0).load());
        assertEquals("APPLIED", result(post("room/destroyed", destroyed(nodeRoom))));
        assertEquals(0, http.server.engine().nodeLoads().get(0).load());
        assertTrue(occupancy().visitorsByNode().isEmpty());
    }

    @Test
    void aTenantsInternalRoomIsTheRoomClientsName() throws Exception {
        start();
        String external = "catchup@conference.acme.meet.jitsi";
        http.post(webClientBody(external, "t1"));
        assertEquals("APPLIED", result(post("occupant/joined", joined("[acme]catchup@conference.meet.jitsi",
                "u1@meet.jitsi/r", 1))));
        RoomOccupancy o = http.server.engine().occupancy(JoinRequest.parseRoom(external)).orElseThrow();
        assertEquals(1, o.mainMembers());
        assertEquals(0, o.reservedSeats());
    }

    @Test
    void withoutTheConfiguredAuthorizationNothingChanges() throws Exception {
        start();
        http.post(webClientBody(ROOM, "s1"));
        assertEquals(401, post("occupant/joined", joined(ROOM, "u1@meet.jitsi/r", 1), null).statusCode());
        assertEquals(401, post("occupant/joined", joined(ROOM, "u1@meet.jitsi/r", 1), "Bearer guess").statusCode());
        assertEquals(0, occupancy().mainMembers());
        assertEquals(1, occupancy().reservedSeats());
    }

    @Test
    void aMalformedReportIsA400AndChangesNoCount() throws Exception {
        start();
        http.post(webClientBody(ROOM, "s1"));
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("{", "malformed JSON");
        bad.put("[]", "JSON object");
        bad.put(joined(ROOM, "u@meet.jitsi/r", 1).replace("muc-occupant-joined", "muc-occupant-left"), "does not match");
        bad.put(joined(ROOM, "u@meet.jitsi/r", -1), "active_occupants_count");
        bad.put(joined(ROOM, "u@meet.jitsi/r", 1).replace("\"active_occupants_count\":1", "\"active_occupants_count\":\"1\""),
                "active_occupants_count");
        bad.put(joined("catchup@elsewhere.example.org", "u@meet.jitsi/r", 1), "neither the main MUC service");
        bad.put(joined(ROOM, "meet.jitsi", 1), "not a user's address");
        bad.put(joined(ROOM, "u@meet.jitsi/r", 1).replace("\"is_breakout\":false", "\"is_breakout\":\"no\""),
                "is_breakout");
        bad.put("{\"event_name\":\"muc-occupant-joined\",\"active_occupants_count\":1,\"room_jid\":\"" + ROOM + "\"}",
                "occupant");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            HttpResponse<String> r = post("occupant/joined", e.getKey());
            assertEquals(400, r.statusCode(), e.getKey() + " -> " + r.body());
            assertTrue(parse(r).get("error").asText().contains(e.getValue()), r.body());
        }
        assertEquals(404, post("occupant/renamed", joined(ROOM, "u@meet.jitsi/r", 1)).statusCode());
        assertEquals(405, http.send(HttpRequest.newBuilder(http.uri("/event-sync/events/occupant/joined"))
                .header("Authorization", AUTH).GET().build()).statusCode());
        assertEquals(0, occupancy().mainMembers());
        assertEquals(1, occupancy().reservedSeats());
    }

    @Test
    void breakoutRoomsAreNotTheMainRoom() throws Exception {
        start();
        http.post(webClientBody(ROOM, "s1"));
        String breakout = joined(ROOM, "u@meet.jitsi/r", 1).replace("\"is_breakout\":false",
                "\"is_breakout\":true,\"breakout_room_id\":\"0d3f6c2e-8a41-4f1e-9b7a-2c5d8e9f1a3b\"");
        assertEquals("IGNORED_UNKNOWN_ROOM", result(post("occupant/joined", breakout)));
        assertEquals(0, occupancy().mainMembers());
    }
}

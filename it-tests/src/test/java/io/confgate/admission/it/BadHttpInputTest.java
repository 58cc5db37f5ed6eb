package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.parse;
import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.EngineTotals;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every malformed input gets a clear 4xx, changes no count, and never a 500 or a stack trace. */
class BadHttpInputTest {
    private static final String ROOM = "townhall@conference.meet.jitsi";
    private static final int LIMIT = 64 * 1024;
    private static HttpHarness http;

    @BeforeAll
    static void start() throws Exception {
        http = HttpHarness.start(HttpHarness.embedded());
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
    }

    private static HttpResponse<String> expect(int status, HttpRequest request, String messagePart) throws Exception {
        HttpResponse<String> r = http.send(request);
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.toString());
        String error = parse(r).get("error").asText();
        assertTrue(error.contains(messagePart), "'" + error + "' should mention '" + messagePart + "'");
        // Checked in the test that sent it: no stack trace in the answer, and nothing reserved or created.
        assertFalse(r.body().contains("Exception"), r.body());
        assertFalse(r.body().contains("\tat "), r.body());
        assertFalse(r.body().contains("at io."), r.body());
        assertEquals(new EngineTotals(0, 0, 0, 0, 0), http.server.engine().totals(), "a bad request changed a count");
        return r;
    }

    private static HttpRequest post(String body) {
        return http.json("/conference-request/v1", body).build();
    }

    private static HttpRequest postBytes(byte[] body) {
        return HttpRequest.newBuilder(http.uri("/conference-request/v1")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    @Test
    void malformedJson() throws Exception {
        expect(400, post("{\"room\": "), "malformed JSON");
        expect(400, post("not json at all"), "malformed JSON");
        expect(400, post(""), "body must be a JSON object");
        expect(400, post("[1,2,3]"), "body must be a JSON object");
        expect(400, post("\"just a string\""), "body must be a JSON object");
    }

    @Test
    void missingOrInvalidRoom() throws Exception {
        expect(400, post("{\"sessionId\":\"s\"}"), "room is required");
        expect(400, post("{\"room\":\"   \"}"), "room is required");
        expect(400, post("{\"room\":\"no-local-part\"}"), "not a valid room JID");
        expect(400, post("{\"room\":\"a@b@c\"}"), "not a valid room JID");
        expect(400, post("{\"room\":{\"nested\":1}}"), "room must be a string");
        expect(400, post("{\"room\":\"" + ROOM + "/resource\"}"), "not a valid room JID");
    }

    @Test
    void propertiesThatAreNotScalars() throws Exception {
        expect(400, post("{\"room\":\"" + ROOM + "\",\"properties\":[1]}"), "properties must be an object");
        expect(400, post("{\"room\":\"" + ROOM + "\",\"properties\":{\"x\":{\"y\":1}}}"), "property 'x'");
    }

    @Test
    void malformedUtf8() throws Exception {
        byte[] prefix = ("{\"room\":\"" + ROOM + "\",\"sessionId\":\"").getBytes();
        byte[] body = new byte[prefix.length + 4];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        body[prefix.length] = (byte) 0xC3;
        body[prefix.length + 1] = (byte) 0x28; // invalid continuation byte
        body[prefix.length + 2] = '"';
        body[prefix.length + 3] = '}';
        expect(400, postBytes(body), "malformed JSON");
    }

    @Test
    void deeplyNestedJson() throws Exception {
        String deep = "[".repeat(5_000) + "]".repeat(5_000);
        // In a property, the first bracket is already not a scalar: refused before any depth is reached.
        expect(400, post("{\"room\":\"" + ROOM + "\",\"properties\":{\"x\":" + deep + "}}"),
                "property 'x' must be a string");
        // In an unknown field, which is skipped: the parser's nesting limit refuses it.
        expect(400, post("{\"room\":\"" + ROOM + "\",\"extra\":" + deep + "}"), "malformed JSON");
        expect(400, post("{\"room\":\"" + ROOM + "\",\"extra\":{\"a\":" + "{\"a\":".repeat(4_999) + "1"
                + "}".repeat(5_001)), "malformed JSON");
    }

    @Test
    void bodySizeLimit() throws Exception {
        String head = "{\"room\":\"" + ROOM + "\",\"sessionId\":\"big\",\"properties\":{\"pad\":\"";
        String tail = "\"}}";
        String exact = head + "x".repeat(LIMIT - head.length() - tail.length()) + tail;
        assertEquals(LIMIT, exact.length());
        String over = head + "x".repeat(LIMIT + 1 - head.length() - tail.length()) + tail;
        expect(413, post(over), "larger than 65536 bytes");
        // Exactly at the limit is accepted; it is the only request here that counts, so release it.
        HttpResponse<String> ok = http.send(post(exact));
        assertEquals(200, ok.statusCode(), ok.body());
        http.server.engine().report(new io.confgate.admission.event.OccupancyEvent.RoomDestroyed(
                io.confgate.admission.JoinRequest.parseRoom(ROOM)));
    }

    @Test
    void aHugePropertyMapWithinTheLimitIsFine() throws Exception {
        StringBuilder props = new StringBuilder();
        for (int i = 0; i < 3_000; i++) {
            props.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":").append(i);
        }
        HttpResponse<String> r = http.send(post("{\"room\":\"other@conference.meet.jitsi\",\"properties\":{"
                + props + "}}"));
        assertEquals(200, r.statusCode(), r.body());
        http.server.engine().report(new io.confgate.admission.event.OccupancyEvent.RoomDestroyed(
                io.confgate.admission.JoinRequest.parseRoom("other@conference.meet.jitsi")));
    }

    @Test
    void wrongMediaTypeAndMethod() throws Exception {
        expect(415, HttpRequest.newBuilder(http.uri("/conference-request/v1")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(webClientBody(ROOM, "x"))).build(), "application/json");
        expect(415, HttpRequest.newBuilder(http.uri("/conference-request/v1"))
                .POST(HttpRequest.BodyPublishers.ofString(webClientBody(ROOM, "x"))).build(), "application/json");
        HttpResponse<String> get = expect(405, HttpRequest.newBuilder(http.uri("/conference-request/v1")).GET().build(),
                "POST");
        assertTrue(get.headers().firstValue("Allow").orElseThrow().contains("POST"));
        expect(405, HttpRequest.newBuilder(http.uri("/conference-request/v1"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), "POST");
        expect(405, HttpRequest.newBuilder(http.uri("/metrics")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                "GET");
    }

    @Test
    void aJsonContentTypeWithCharsetIsAccepted() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(http.uri("/conference-request/v1"))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString("{\"room\":\"third@conference.meet.jitsi\"}")).build());
        assertEquals(200, r.statusCode(), r.body());
        http.server.engine().report(new io.confgate.admission.event.OccupancyEvent.RoomDestroyed(
                io.confgate.admission.JoinRequest.parseRoom("third@conference.meet.jitsi")));
    }
}

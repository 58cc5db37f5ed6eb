package io.confgate.admission.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.conference.ConferenceAnswer;
import io.confgate.admission.conference.ConferenceRequest;
import io.confgate.admission.http.internal.ConferenceRequestJson.BadRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConferenceRequestJsonTest {
    private final ObjectMapper mapper = ConferenceRequestJson.newMapper();
    private final JsonFactory json = mapper.getFactory();

    private ConferenceRequest read(String text) throws Exception {
        return ConferenceRequestJson.read(json, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aWebClientBody() throws Exception {
        ConferenceRequest body = read("{\"room\":\"r@conference.meet.jitsi\",\"machineUid\":\"m1\",\"sessionId\":\"s1\","
                + "\"identity\":\"\",\"properties\":{\"rtcstatsEnabled\":false,\"visitors-version\":1,"
                + "\"visitor\":true,\"nothing\":null,\"name\":\"x\"},\"unknown\":{\"deep\":[1,{\"a\":[]}]},"
                + "\"promotionTicket\":\"t1\"}");
        assertEquals("r@conference.meet.jitsi", body.room());
        assertEquals(Optional.of("s1"), body.sessionId());
        assertEquals(Optional.of("m1"), body.machineUid());
        assertEquals(Optional.empty(), body.identity(), "blank is absent");
        assertEquals(Optional.of("t1"), body.promotionTicket());
        assertTrue(body.supportsVisitors(), "visitors-version as a number");
        assertTrue(body.visitorRequested(), "visitor as a boolean");
    }

    @Test
    void theTwoPropertiesPlacementReads() throws Exception {
        String room = "{\"room\":\"r@c.x\",\"properties\":";
        assertFalse(read(room + "{\"rtcstatsEnabled\":false}}").supportsVisitors());
        assertFalse(read(room + "{\"visitors-version\":null}}").supportsVisitors(), "null is absent");
        assertTrue(read(room + "{\"visitors-version\":\"1\"}}").supportsVisitors());
        assertTrue(read(room + "{\"visitor\":\"TRUE\"}}").visitorRequested());
        assertFalse(read(room + "{\"visitor\":false}}").visitorRequested());
        assertFalse(read(room + "{\"visitor\":1}}").visitorRequested(), "only true asks");
        assertFalse(read(room + "{\"visitor\":true,\"visitor\":\"no\"}}").visitorRequested(), "last one wins");
        assertTrue(read(room + "{\"visitor\":true,\"visitor\":null}}").visitorRequested(), "a null changes nothing");
        assertFalse(read(room + "{\"Visitor\":true}}").visitorRequested(), "names are exact");
    }

    @Test
    void scalarsOfEveryKindAreText() throws Exception {
        ConferenceRequest body = read("{\"room\":\"r@c.x\",\"sessionId\":12.5,\"machineUid\":true,\"properties\":null}");
        assertEquals(Optional.of("12.5"), body.sessionId());
        assertEquals(Optional.of("true"), body.machineUid());
        assertFalse(body.supportsVisitors());
        assertFalse(body.visitorRequested());
    }

    @Test
    void lastDuplicateWins() throws Exception {
        assertEquals("b@c.x", read("{\"room\":\"a@c.x\",\"room\":\"b@c.x\"}").room());
    }

    @Test
    void notAConferenceRequest() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("", "body must be a JSON object");
        cases.put("[]", "body must be a JSON object");
        cases.put("\"room\"", "body must be a JSON object");
        cases.put("{}", "room is required");
        cases.put("{\"room\":null}", "room is required");
        cases.put("{\"room\":\"  \"}", "room is required");
        cases.put("{\"room\":{\"a\":1}}", "room must be a string");
        cases.put("{\"room\":\"r@c.x\",\"sessionId\":[1]}", "sessionId must be a string");
        cases.put("{\"room\":\"r@c.x\",\"properties\":[]}", "properties must be an object");
        cases.put("{\"room\":\"r@c.x\",\"properties\":\"a\"}", "properties must be an object");
        cases.put("{\"room\":\"r@c.x\",\"properties\":{\"p\":{}}}", "property 'p' must be a string, number or boolean");
        cases.forEach((text, message) -> {
            BadRequest e = assertThrows(BadRequest.class, () -> read(text), text);
            assertEquals(message, e.getMessage(), text);
        });
    }

    @Test
    void notJson() {
        for (String text : List.of("{", "{\"room\":", "{\"room\":\"r@c.x\",}", "nope",
                "{\"room\":\"r@c.x\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}")) {
            assertThrows(JacksonException.class, () -> read(text), text);
        }
    }

    @Test
    void answerInJicofosFieldOrder() throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("visitors-supported", "true");
        properties.put("live", "false");
        byte[] visitor = ConferenceRequestJson.answer(json, new ConferenceAnswer("r@c.x", true, "focus@auth.v1.x",
                Optional.of("s\"1"), Optional.of("v1"), properties));
        assertEquals("{\"room\":\"r@c.x\",\"ready\":true,\"focusJid\":\"focus@auth.v1.x\",\"sessionId\":\"s\\\"1\","
                + "\"vnode\":\"v1\",\"properties\":{\"visitors-supported\":\"true\",\"live\":\"false\"}}",
                new String(visitor, StandardCharsets.UTF_8));
        byte[] queued = ConferenceRequestJson.answer(json, new ConferenceAnswer("r@c.x", false, "focus@auth.x",
                Optional.empty(), Optional.empty(), Map.of()));
        assertEquals("{\"room\":\"r@c.x\",\"ready\":false,\"focusJid\":\"focus@auth.x\"}",
                new String(queued, StandardCharsets.UTF_8));
    }
}

package io.confgate.admission.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.VisitorNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConferenceAnswersTest {
    private final ObjectMapper mapper = ConferenceRequestJson.newMapper();
    private final JsonFactory json = mapper.getFactory();
    private final List<VisitorNode> nodes = List.of(VisitorNode.conventional("v1", "meet.jitsi", 2000),
            VisitorNode.conventional("v2", "meet.jitsi", 2000));

    private static final List<String> ROOMS = List.of("r@conference.meet.jitsi", "räum@conference.meet.jitsi",
            "a\\5cb@c.x");
    private static final List<String> SESSIONS = Arrays.asList(null, "s1", "quote\"back\\slash", "tab\tnl\n\u0001",
            "ünï😀", "lone\uD800surrogate", "");

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void byteForByteWhatTheGeneratorWrites() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("visitors-supported", "true");
        properties.put("authentication", "false");
        properties.put("sipGatewayEnabled", "tr\"ue");
        for (Map<String, String> configured : List.of(properties, Map.<String, String>of())) {
            ConferenceAnswers answers = new ConferenceAnswers(mapper, "focus@auth.meet.jitsi", configured, nodes);
            List<String> seen = new ArrayList<>();
            for (String room : ROOMS) {
                for (String session : SESSIONS) {
                    if (session != null && session.chars().anyMatch(c -> Character.isSurrogate((char) c))) {
                        assertNull(answers.main(room, session), "left to the generator");
                        assertNull(answers.visitor(room, session, nodes.get(0)), "left to the generator");
                        continue;
                    }
                    String main = text(answers.main(room, session));
                    assertEquals(text(ConferenceRequestJson.answer(json, room, true, "focus@auth.meet.jitsi", session,
                            null, configured)), main, room + " / " + session);
                    seen.add(main);
                    for (VisitorNode node : nodes) {
                        assertEquals(text(ConferenceRequestJson.answer(json, room, true, node.focusJid().toString(),
                                session, node.id(), configured)), text(answers.visitor(room, session, node)),
                                node.id() + " " + room + " / " + session);
                    }
                }
            }
            assertEquals(seen.size(), seen.stream().distinct().count(), "every input gives its own answer");
        }
    }

    @Test
    void theGeneratorEscapesSurrogatesAndKeepsTheCharacterAfterALoneOne() {
        assertTrue(text(ConferenceRequestJson.answer(json, "r@x", true, "f@x", "lone\uD800s", null, Map.of()))
                .contains("\"sessionId\":\"lone\\uD800s\""));
        assertTrue(text(ConferenceRequestJson.answer(json, "r@x", true, "f@x", "😀", null, Map.of()))
                .contains("\"sessionId\":\"\\uD83D\\uDE00\""));
    }

    @Test
    void aNodeItWasNotBuiltWithIsLeftToTheCaller() {
        ConferenceAnswers answers = new ConferenceAnswers(mapper, "focus@auth.meet.jitsi", Map.of(), nodes);
        assertNull(answers.visitor("r@c.x", null, VisitorNode.conventional("v9", "meet.jitsi", 1)));
        assertNull(answers.visitor("r@c.x", null, VisitorNode.conventional("v1", "meet.jitsi", 2000)),
                "an equal node that is not one of the engine's is not guessed at");
    }
}

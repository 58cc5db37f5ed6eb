package io.confgate.admission.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import io.confgate.admission.conference.ConferenceAnswer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnswerBytesTest {
    private final JsonFactory json = ConferenceRequestJson.newMapper().getFactory();
    private final AnswerBytes bytes = new AnswerBytes(json);

    private static final List<String> ROOMS = List.of("r@conference.meet.jitsi", "räum@conference.meet.jitsi",
            "a\\5cb@c.x");
    private static final List<String> SESSIONS = Arrays.asList(null, "s1", "quote\"back\\slash", "tab\tnl\n\u0001",
            "ünï😀", "lone\uD800surrogate", "");

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void byteForByteWhatTheGeneratorWrites() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("visitors-supported", "true");
        properties.put("authentication", "false");
        properties.put("sipGatewayEnabled", "tr\"ue");
        List<String> seen = new ArrayList<>();
        for (Map<String, String> configured : List.of(properties, Map.<String, String>of())) {
            for (Optional<String> vnode : List.of(Optional.<String>empty(), Optional.of("v1"), Optional.of("v\"2"))) {
                for (boolean ready : new boolean[] {true, false}) {
                    for (String room : ROOMS) {
                        for (String session : SESSIONS) {
                            ConferenceAnswer answer = new ConferenceAnswer(room, ready, "focus@auth.meet.jitsi",
                                    Optional.ofNullable(session), vnode, configured);
                            String written = text(bytes.write(answer));
                            assertEquals(text(ConferenceRequestJson.answer(json, answer)), written,
                                    room + " / " + session + " / " + vnode);
                            seen.add(written);
                        }
                    }
                }
            }
        }
        assertEquals(seen.size(), seen.stream().distinct().count(), "every input gives its own answer");
    }

    @Test
    void theGeneratorEscapesSurrogatesAndKeepsTheCharacterAfterALoneOne() {
        assertTrue(text(bytes.write(new ConferenceAnswer("r@x", true, "f@x", Optional.of("lone\uD800s"),
                Optional.empty(), Map.of()))).contains("\"sessionId\":\"lone\\uD800s\""));
        assertTrue(text(bytes.write(new ConferenceAnswer("r@x", true, "f@x", Optional.of("😀"),
                Optional.empty(), Map.of()))).contains("\"sessionId\":\"\\uD83D\\uDE00\""));
    }

    @Test
    void pastTheTailBoundAnswersAreStillWritten() {
        for (int i = 0; i < AnswerBytes.MAX_TAILS + 10; i++) {
            ConferenceAnswer answer = new ConferenceAnswer("r@x", true, "focus" + i + "@x", Optional.of("s"),
                    Optional.empty(), Map.of());
            assertEquals(text(ConferenceRequestJson.answer(json, answer)), text(bytes.write(answer)));
        }
    }
}

package io.confgate.admission.http.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.confgate.admission.conference.ConferenceAnswer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a conference answer byte for byte as {@link ConferenceRequestJson#answer} does, faster: what
 * follows the room and the session id (ready, focusJid, vnode, properties) depends only on the focus, the
 * node and the properties, so it is encoded once per distinct tail and kept; only the room and the
 * session id are encoded per request. Measured: writing each answer with the generator cost 8.6 % of the
 * server's Java samples and brought the paired benchmark from 94 % to 81 % of the bare handler
 * (BENCHMARKS.md). Tails come from configuration (nodes, configured properties), never from clients, so
 * their number stays small; past {@link #MAX_TAILS} answers are simply written by the generator.
 */
public final class AnswerBytes {
    static final int MAX_TAILS = 1_024;
    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();
    private static final byte[] OPEN = ascii("{\"room\":\"");
    private static final byte[] SESSION_OPEN = ascii(",\"sessionId\":\"");
    private static final byte[] QUOTE = ascii("\"");

    /**
     * What decides the bytes after the room and the session id. The properties are compared by identity:
     * {@link io.confgate.admission.conference.ConferenceAnswers} hands out the same few map instances, so
     * a look-up never walks a map (an equal map of another instance only makes one more entry).
     */
    private record Tail(boolean ready, String focusJid, Optional<String> vnode, Map<String, String> properties) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Tail t && t.ready == ready && t.properties == properties && t.focusJid.equals(focusJid)
                    && t.vnode.equals(vnode);
        }

        @Override
        public int hashCode() {
            return (focusJid.hashCode() * 31 + vnode.hashCode()) * 31 + System.identityHashCode(properties)
                    + (ready ? 1 : 0);
        }
    }

    private record Parts(byte[] afterRoom, byte[] end) {
    }

    private final JsonFactory json;
    private final Map<Tail, Parts> tails = new ConcurrentHashMap<>();

    public AnswerBytes(JsonFactory json) {
        this.json = json;
    }

    /** The answer's JSON. */
    public byte[] write(ConferenceAnswer answer) {
        byte[] room = quotedWithoutSurrogates(answer.room());
        boolean withSession = answer.sessionId().isPresent();
        byte[] session = withSession ? quotedWithoutSurrogates(answer.sessionId().get()) : QUOTE;
        Tail tail = new Tail(answer.ready(), answer.focusJid(), answer.vnode(), answer.properties());
        Parts parts = tails.get(tail);
        if (parts == null && tails.size() < MAX_TAILS) {
            parts = tails.computeIfAbsent(tail, AnswerBytes::encode);
        }
        if (room == null || session == null || parts == null) {
            return ConferenceRequestJson.answer(json, answer); // surrogates, which only the generator writes
        }
        int size = OPEN.length + room.length + parts.afterRoom.length + parts.end.length
                + (withSession ? SESSION_OPEN.length + session.length + QUOTE.length : 0);
        byte[] out = new byte[size];
        int at = put(out, 0, OPEN);
        at = put(out, at, room);
        at = put(out, at, parts.afterRoom);
        if (withSession) {
            at = put(out, at, SESSION_OPEN);
            at = put(out, at, session);
            at = put(out, at, QUOTE);
        }
        put(out, at, parts.end);
        return out;
    }

    private static Parts encode(Tail tail) {
        StringBuilder afterRoom = new StringBuilder("\",\"ready\":").append(tail.ready())
                .append(",\"focusJid\":\"").append(ENCODER.quoteAsString(tail.focusJid())).append('"');
        StringBuilder end = new StringBuilder();
        tail.vnode().ifPresent(v -> end.append(",\"vnode\":\"").append(ENCODER.quoteAsString(v)).append('"'));
        if (!tail.properties().isEmpty()) {
            end.append(",\"properties\":{");
            String comma = "";
            for (Map.Entry<String, String> e : tail.properties().entrySet()) {
                end.append(comma).append('"').append(ENCODER.quoteAsString(e.getKey())).append("\":\"")
                        .append(ENCODER.quoteAsString(e.getValue())).append('"');
                comma = ",";
            }
            end.append('}');
        }
        end.append('}');
        return new Parts(afterRoom.toString().getBytes(StandardCharsets.UTF_8),
                end.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The text encoded as a JSON string's content, or null if it holds a surrogate (the generator writes
     * those as escapes). One byte per char means every char is ASCII, which answers for nearly every room
     * and session id without reading the chars again.
     */
    private static byte[] quotedWithoutSurrogates(String text) {
        byte[] quoted;
        try {
            quoted = ENCODER.quoteAsUTF8(text);
        } catch (IllegalArgumentException e) {
            return null; // an unpaired surrogate
        }
        return quoted.length != text.length() && text.chars().anyMatch(c -> Character.isSurrogate((char) c))
                ? null : quoted;
    }

    private static int put(byte[] out, int at, byte[] part) {
        System.arraycopy(part, 0, out, at, part.length);
        return at + part.length;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

package io.confgate.admission.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.VisitorNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two answers nearly every request gets, main room and visitor node, assembled from parts encoded
 * once at start: only the room and the session id are encoded per request (by Jackson's
 * {@link JsonStringEncoder}). Byte for byte what {@link ConferenceRequestJson#answer} writes for the same
 * input (tested); rarer answers (queued, promoted) are written by that method.
 *
 * <p>Layout: {@code {"room":"R","ready":true,"focusJid":"F"[,"sessionId":"S"][,"vnode":"V"][,"properties":{...}]}}.
 */
public final class ConferenceAnswers {
    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();
    private static final byte[] OPEN = ascii("{\"room\":\"");
    private static final byte[] SESSION_OPEN = ascii(",\"sessionId\":\"");
    private static final byte[] QUOTE = ascii("\"");

    /** What follows the room and what ends the answer, for one focus. */
    private record Parts(byte[] afterRoom, byte[] tail) {
    }

    private final Parts main;
    private final Map<VisitorNode, Parts> byNode = new IdentityHashMap<>();

    /**
     * @param properties the answer properties every main and visitor answer carries, in order
     * @param nodes      the configured nodes; answers are matched to them by identity
     */
    public ConferenceAnswers(ObjectMapper mapper, String mainFocusJid, Map<String, String> properties,
                             List<VisitorNode> nodes) {
        byte[] propertiesJson = properties.isEmpty() ? new byte[0] : concat(ascii(",\"properties\":"),
                write(mapper, properties));
        this.main = new Parts(afterRoom(mainFocusJid), concat(propertiesJson, ascii("}")));
        for (VisitorNode node : nodes) {
            byte[] vnode = concat(ascii(",\"vnode\":\""), quoted(node.id()), QUOTE);
            byNode.put(node, new Parts(afterRoom(node.focusJid().toString()), concat(vnode, propertiesJson, ascii("}"))));
        }
    }

    /**
     * The answer sending a member to the main room; {@code sessionId} may be null. Null when a string
     * holds a surrogate: the generator writes those as {@code \\uXXXX} escapes (and an unpaired one,
     * which a JSON escape in the request can carry, only it can write), so it writes those answers.
     */
    public byte[] main(String room, String sessionId) {
        return assemble(room, sessionId, main);
    }

    /**
     * The answer redirecting a member to {@code node}; null for a node this was not built with, or as for
     * {@link #main}. The caller then writes it with {@link ConferenceRequestJson#answer}.
     */
    public byte[] visitor(String room, String sessionId, VisitorNode node) {
        Parts parts = byNode.get(node);
        return parts == null ? null : assemble(room, sessionId, parts);
    }

    private static byte[] assemble(String room, String sessionId, Parts parts) {
        byte[] roomText = quotedWithoutSurrogates(room);
        byte[] sessionText = sessionId == null ? null : quotedWithoutSurrogates(sessionId);
        if (roomText == null || (sessionId != null && sessionText == null)) {
            return null;
        }
        int size = OPEN.length + roomText.length + parts.afterRoom.length + parts.tail.length
                + (sessionText == null ? 0 : SESSION_OPEN.length + sessionText.length + QUOTE.length);
        byte[] out = new byte[size];
        int at = put(out, 0, OPEN);
        at = put(out, at, roomText);
        at = put(out, at, parts.afterRoom);
        if (sessionText != null) {
            at = put(out, at, SESSION_OPEN);
            at = put(out, at, sessionText);
            at = put(out, at, QUOTE);
        }
        put(out, at, parts.tail);
        return out;
    }

    /** Closes the room string, then {@code ,"ready":true,"focusJid":"F"}. */
    private static byte[] afterRoom(String focusJid) {
        return concat(ascii("\",\"ready\":true,\"focusJid\":\""), quoted(focusJid), QUOTE);
    }

    /**
     * The text encoded as a JSON string's content, or null if it holds a surrogate. One byte per char means
     * every char is ASCII (a surrogate takes more), which answers for nearly every room and session id
     * without reading the chars a second time.
     */
    private static byte[] quotedWithoutSurrogates(String text) {
        byte[] quoted;
        try {
            quoted = quoted(text);
        } catch (IllegalArgumentException e) {
            return null; // an unpaired surrogate, which only the generator writes
        }
        return quoted.length != text.length() && hasSurrogate(text) ? null : quoted;
    }

    private static boolean hasSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static byte[] quoted(String text) {
        return ENCODER.quoteAsUTF8(text);
    }

    private static byte[] write(ObjectMapper mapper, Map<String, String> properties) {
        try {
            return mapper.writeValueAsBytes(properties);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // strings from configuration always encode
        }
    }

    private static int put(byte[] out, int at, byte[] part) {
        System.arraycopy(part, 0, out, at, part.length);
        return at + part.length;
    }

    private static byte[] concat(byte[]... parts) {
        int size = 0;
        for (byte[] part : parts) {
            size += part.length;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] part : parts) {
            at = put(out, at, part);
        }
        return out;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

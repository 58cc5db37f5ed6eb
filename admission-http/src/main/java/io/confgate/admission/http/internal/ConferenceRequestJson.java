package io.confgate.admission.http.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.conference.ConferenceAnswer;
import io.confgate.admission.conference.ConferenceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON of {@code /conference-request/v1}: Jicofo's {@code ConferenceRequest}, fields
 * {@code room, ready, focusJid, sessionId, machineUid, identity, vnode, properties}, empty ones omitted.
 * Read with Jackson's streaming parser and written with its generator: this is the server's hot path.
 */
public final class ConferenceRequestJson {
    private static final java.util.Set<String> KEPT = java.util.Set.of(ConferenceRequest.VISITORS_VERSION,
            ConferenceRequest.VISITOR, ConferenceRequest.PROMOTION_TICKET);
    /** Deeper than any real request; deeper input is refused before it costs stack. */
    static final int MAX_NESTING = 16;

    private ConferenceRequestJson() {
    }

    public static ObjectMapper newMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING)
                        .maxStringLength(1 << 20).build())
                .build();
        return new ObjectMapper(factory).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /** Thrown for a body that is not a conference request; the message is for the caller. */
    public static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        public BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads a request body: unknown fields are skipped, scalars are taken as text, blank as absent, a
     * null property as no property; of duplicate names the last wins. Every property is checked, but only
     * those placement reads are kept (a web client sends half a dozen). The top-level
     * {@code promotionTicket} is the {@value ConferenceRequest#PROMOTION_TICKET} property. Throws
     * {@link BadRequest} for JSON that is not a conference request, and Jackson's exception for text that
     * is not JSON (or nests deeper than {@link #MAX_NESTING}).
     */
    public static ConferenceRequest read(JsonFactory factory, byte[] json) throws BadRequest, IOException {
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadRequest("body must be a JSON object");
            }
            String room = null;
            String sessionId = null;
            String machineUid = null;
            String identity = null;
            String ticket = null;
            Map<String, String> properties = new HashMap<>(4);
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                JsonToken value = p.nextToken();
                switch (field) {
                    case "room" -> room = scalar(p, value, field);
                    case "sessionId" -> sessionId = scalar(p, value, field);
                    case "machineUid" -> machineUid = scalar(p, value, field);
                    case "identity" -> identity = scalar(p, value, field);
                    case "promotionTicket" -> ticket = scalar(p, value, field);
                    case "properties" -> properties(p, value, properties);
                    default -> p.skipChildren();
                }
            }
            if (room == null) {
                throw new BadRequest("room is required");
            }
            if (ticket != null) {
                properties.put(ConferenceRequest.PROMOTION_TICKET, ticket);
            }
            return new ConferenceRequest(room, Optional.ofNullable(sessionId), Optional.ofNullable(machineUid),
                    Optional.ofNullable(identity), properties);
        }
    }

    private static void properties(JsonParser p, JsonToken token, Map<String, String> into)
            throws BadRequest, IOException {
        if (token == JsonToken.VALUE_NULL) {
            return;
        }
        if (token != JsonToken.START_OBJECT) {
            throw new BadRequest("properties must be an object");
        }
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            if (!value.isScalarValue()) {
                throw new BadRequest("property '" + name + "' must be a string, number or boolean");
            }
            if (KEPT.contains(name)) {
                into.put(name, p.getText());
            }
        }
    }

    /** The text of a scalar field (numbers and booleans as their text); null or blank is absent. */
    private static String scalar(JsonParser p, JsonToken token, String field) throws BadRequest, IOException {
        if (token == JsonToken.VALUE_NULL) {
            return null;
        }
        if (!token.isScalarValue()) {
            throw new BadRequest(field + " must be a string");
        }
        String text = p.getText();
        return text.isBlank() ? null : text;
    }

    /** A string-valued field of a parsed tree; numbers and booleans are taken as their text, blank as absent. */
    public static Optional<String> scalar(JsonNode root, String field) throws BadRequest {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isValueNode()) {
            throw new BadRequest(field + " must be a string");
        }
        String text = node.asText();
        return text.isBlank() ? Optional.empty() : Optional.of(text);
    }

    /** Writes an answer in Jicofo's field order ({@code room, ready, focusJid, sessionId, vnode, properties}). */
    public static byte[] answer(JsonFactory factory, ConferenceAnswer answer) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("room", answer.room());
            g.writeBooleanField("ready", answer.ready());
            g.writeStringField("focusJid", answer.focusJid());
            if (answer.sessionId().isPresent()) {
                g.writeStringField("sessionId", answer.sessionId().get());
            }
            if (answer.vnode().isPresent()) {
                g.writeStringField("vnode", answer.vnode().get());
            }
            if (!answer.properties().isEmpty()) {
                g.writeObjectFieldStart("properties");
                for (Map.Entry<String, String> e : answer.properties().entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        return out.toByteArray();
    }
}

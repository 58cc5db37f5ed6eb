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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON of {@code /conference-request/v1}: Jicofo's {@code ConferenceRequest}, fields
 * {@code room, ready, focusJid, sessionId, machineUid, identity, vnode, properties}, empty ones omitted.
 *
 * <p>The request is read with Jackson's streaming parser and the answer written with its generator:
 * this is the hot path of the server, and a tree or a bean serializer per request cost more than the
 * admission decision itself (see BENCHMARKS.md).
 */
public final class ConferenceRequestJson {
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

    /**
     * A parsed request body; strings are empty-as-absent. Of {@code properties} only what placement reads
     * is kept: whether the client speaks the visitors protocol ({@code visitors-version} present) and
     * whether it asks to be a visitor ({@code visitor} is true). The others are checked, then dropped.
     */
    public record Body(String room, Optional<String> sessionId, Optional<String> machineUid, Optional<String> identity,
                       boolean supportsVisitors, boolean visitorRequested, Optional<String> promotionTicket) {
    }

    private static final int SUPPORTS_VISITORS = 1;
    private static final int VISITOR_REQUESTED = 2;

    /** Thrown for a body that is not a conference request; the message is for the caller. */
    public static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        public BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads a request body: unknown fields are skipped, scalars are taken as strings, blank as absent.
     * Throws {@link BadRequest} for JSON that is not a conference request, and Jackson's exception for
     * text that is not JSON (or nests deeper than {@link #MAX_NESTING}).
     */
    public static Body read(JsonFactory factory, byte[] json) throws BadRequest, IOException {
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadRequest("body must be a JSON object");
            }
            String room = null;
            String sessionId = null;
            String machineUid = null;
            String identity = null;
            String ticket = null;
            int properties = 0;
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                JsonToken value = p.nextToken();
                switch (field) {
                    case "room" -> room = scalar(p, value, field);
                    case "sessionId" -> sessionId = scalar(p, value, field);
                    case "machineUid" -> machineUid = scalar(p, value, field);
                    case "identity" -> identity = scalar(p, value, field);
                    case "promotionTicket" -> ticket = scalar(p, value, field);
                    case "properties" -> properties = properties(p, value);
                    default -> p.skipChildren();
                }
            }
            if (room == null) {
                throw new BadRequest("room is required");
            }
            return new Body(room, Optional.ofNullable(sessionId), Optional.ofNullable(machineUid),
                    Optional.ofNullable(identity), (properties & SUPPORTS_VISITORS) != 0,
                    (properties & VISITOR_REQUESTED) != 0, Optional.ofNullable(ticket));
        }
    }

    /**
     * Reads {@code properties} into {@link #SUPPORTS_VISITORS} and {@link #VISITOR_REQUESTED} flags. A null
     * value counts as absent; of duplicate names the last non-null one wins, as in a map.
     */
    private static int properties(JsonParser p, JsonToken token) throws BadRequest, IOException {
        if (token == JsonToken.VALUE_NULL) {
            return 0;
        }
        if (token != JsonToken.START_OBJECT) {
            throw new BadRequest("properties must be an object");
        }
        int flags = 0;
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            if (!value.isScalarValue()) {
                throw new BadRequest("property '" + name + "' must be a string, number or boolean");
            }
            if (name.equals("visitors-version")) {
                flags |= SUPPORTS_VISITORS;
            } else if (name.equals("visitor")) {
                flags = "true".equalsIgnoreCase(p.getText()) ? flags | VISITOR_REQUESTED : flags & ~VISITOR_REQUESTED;
            }
        }
        return flags;
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

    /**
     * Writes an answer in Jicofo's field order ({@code room, ready, focusJid, sessionId, vnode,
     * properties}), absent fields omitted.
     *
     * @param vnode      the node id when redirected, else null
     * @param sessionId  echoed when the request had one, else null
     * @param properties answer properties, written in their iteration order
     */
    public static byte[] answer(JsonFactory factory, String room, boolean ready, String focusJid, String sessionId,
                                String vnode, Map<String, String> properties) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("room", room);
            g.writeBooleanField("ready", ready);
            g.writeStringField("focusJid", focusJid);
            if (sessionId != null) {
                g.writeStringField("sessionId", sessionId);
            }
            if (vnode != null) {
                g.writeStringField("vnode", vnode);
            }
            if (!properties.isEmpty()) {
                g.writeObjectFieldStart("properties");
                for (Map.Entry<String, String> e : properties.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            // Writing to memory does not fail.
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

package io.confgate.admission.http.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON of {@code /conference-request/v1}: Jicofo's {@code ConferenceRequest}, fields
 * {@code room, ready, focusJid, sessionId, machineUid, identity, vnode, properties}, empty ones omitted.
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

    /** A parsed request body; strings are empty-as-absent. */
    public record Body(String room, Optional<String> sessionId, Optional<String> machineUid, Optional<String> identity,
                       Map<String, String> properties, Optional<String> promotionTicket) {
    }

    /** Thrown for a body that is JSON but not a conference request; the message is for the caller. */
    public static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        public BadRequest(String message) {
            super(message);
        }
    }

    /** Reads the fields out of a parsed tree; unknown fields are ignored, scalars are taken as strings. */
    public static Body read(JsonNode root) throws BadRequest {
        if (root == null || !root.isObject()) {
            throw new BadRequest("body must be a JSON object");
        }
        String room = scalar(root, "room").orElseThrow(() -> new BadRequest("room is required"));
        Map<String, String> properties = new LinkedHashMap<>();
        JsonNode props = root.get("properties");
        if (props != null && !props.isNull()) {
            if (!props.isObject()) {
                throw new BadRequest("properties must be an object");
            }
            for (Map.Entry<String, JsonNode> e : props.properties()) {
                JsonNode value = e.getValue();
                if (value.isNull()) {
                    continue;
                }
                if (!value.isValueNode()) {
                    throw new BadRequest("property '" + e.getKey() + "' must be a string, number or boolean");
                }
                properties.put(e.getKey(), value.asText());
            }
        }
        return new Body(room, scalar(root, "sessionId"), scalar(root, "machineUid"), scalar(root, "identity"),
                properties, scalar(root, "promotionTicket"));
    }

    /** A string-valued field; numbers and booleans are taken as their text, blank as absent. */
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

    /** The answer, in Jicofo's field order, empty fields omitted. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({"room", "ready", "focusJid", "sessionId", "vnode", "properties"})
    public record Answer(String room, Boolean ready, String focusJid, String sessionId, String vnode,
                         Map<String, String> properties) {
    }
}

package io.confgate.admission.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.http.internal.ConferenceRequestJson.BadRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;

/** Reading the promotion endpoints' input: every failure is a {@link Refusal} saying what is wrong. */
public final class RequestInput {
    private static final int MAX_IDS = 10_000;

    private RequestInput() {
    }

    /** A body read whole, as a JSON object. */
    public static JsonNode object(byte[] bytes, ObjectMapper mapper) throws Refusal {
        JsonNode body;
        try {
            body = mapper.readTree(bytes);
        } catch (java.io.IOException e) {
            RequestBodies.Failure malformed = RequestBodies.malformed(e);
            throw new Refusal(malformed.status(), "BAD_INPUT", malformed.getMessage());
        }
        if (body == null || !body.isObject()) {
            throw Refusal.badInput("body must be a JSON object");
        }
        return body;
    }

    public static Fields query(Request request) throws Refusal {
        try {
            return Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            // A query Jetty cannot decode (a bare '%', say) is the caller's mistake, not ours.
            throw Refusal.badInput("malformed query string");
        }
    }

    /**
     * The body's room, else the query's; a query room without a domain is in the main MUC service. A query room
     * must name the same room, spelled as a sharding proxy can hash it ({@link RoomQuery#check}).
     */
    public static EntityBareJid room(Request request, JsonNode body, DomainBareJid conferenceService) throws Refusal {
        Optional<String> query = Optional.ofNullable(query(request).getValue("room")).filter(r -> !r.isBlank());
        Optional<String> raw = body == null ? Optional.empty() : text(body, "room");
        if (raw.isEmpty()) {
            raw = query.map(r -> r.indexOf('@') < 0 ? r + "@" + conferenceService : r);
        }
        EntityBareJid room;
        try {
            room = JoinRequest.parseRoom(raw.orElseThrow(() -> Refusal.badInput("room is required")));
        } catch (IllegalArgumentException e) {
            throw Refusal.badInput(e.getMessage());
        }
        if (query.isPresent()) {
            RoomQuery.check(query.get(), room, conferenceService);
        }
        return room;
    }

    public static Optional<String> text(JsonNode body, String field) throws Refusal {
        try {
            return ConferenceRequestJson.scalar(body, field);
        } catch (BadRequest e) {
            throw Refusal.badInput(e.getMessage());
        }
    }

    public static String requiredText(JsonNode body, String field) throws Refusal {
        return text(body, field).orElseThrow(() -> Refusal.badInput(field + " is required"));
    }

    public static List<String> requestIds(JsonNode body) throws Refusal {
        JsonNode ids = body.get("requestIds");
        if (ids == null || !ids.isArray() || ids.isEmpty()) {
            throw Refusal.badInput("requestIds must be a non-empty array of request ids");
        }
        if (ids.size() > MAX_IDS) {
            throw Refusal.badInput("at most " + MAX_IDS + " requestIds at once; use approve-all");
        }
        List<String> out = new ArrayList<>(ids.size());
        for (JsonNode id : ids) {
            if (!id.isTextual() || id.asText().isBlank()) {
                throw Refusal.badInput("requestIds must hold non-blank strings");
            }
            out.add(id.asText());
        }
        return out;
    }
}

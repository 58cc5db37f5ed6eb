package io.confgate.admission.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.EventResult;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.http.internal.ConferenceRequestJson;
import io.confgate.admission.http.internal.HttpReplies;
import io.confgate.admission.http.internal.Refusal;
import io.confgate.admission.http.internal.RequestBodies;
import io.confgate.admission.http.internal.RequestInput;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The true occupancy of every room, as Prosody itself reports it: the receiving end of
 * jitsi-contrib/prosody-plugins {@code event_sync/mod_event_sync_component.lua}, which POSTs JSON to
 * {@code {api_prefix}/events/room/created}, {@code /events/room/destroyed}, {@code /events/occupant/joined}
 * and {@code /events/occupant/left} (its {@code async_http_request}), with the headers of its
 * {@code api_headers}. Loaded on the main Prosody and on every node's, with {@code api_prefix} pointing
 * at {@code http://THIS-SERVER/event-sync}.
 *
 * <ul>
 *   <li>A main room ({@code room_jid} in the main MUC service): its joined count follows
 *       {@code active_occupants_count}; each newly joined occupant takes a held seat.</li>
 *   <li>A node's room (under the node's xmpp-domain): only occupants whose real JID is on that node are
 *       its visitors (main participants are mirrored there); each takes a held redirect to the node.</li>
 *   <li>A destroyed main room clears the conference; a destroyed node room drops that node's visitors.</li>
 *   <li>Breakout rooms ({@code is_breakout}) are not the main room and change nothing.</li>
 * </ul>
 *
 * Answers: 204 (header {@code X-Admission-Event} names what the engine did; a retried report is
 * {@code IGNORED_DUPLICATE}); 400 a malformed report, which changes no count; 401 without the configured
 * {@code Authorization}. Never a 5xx for a client's input, so the module does not retry what cannot work.
 * Internal room names with a tenant ({@code [tenant]room@conference.meet.jitsi}) are the rooms
 * {@code room@conference.tenant.meet.jitsi} that conference requests name, as mod_muc_domain_mapper maps them.
 */
public final class EventSyncHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(EventSyncHandler.class);
    private static final String RESULT_HEADER = "X-Admission-Event";
    /** The path after the mount point → the {@code event_name} the module sends with it. */
    public static final Map<String, String> EVENTS = Map.of(
            "room/created", "muc-room-created",
            "room/destroyed", "muc-room-destroyed",
            "occupant/joined", "muc-occupant-joined",
            "occupant/left", "muc-occupant-left");

    private final AdmissionEngine engine;
    private final EventSyncSettings settings;
    private final int maxBodyBytes;
    private final byte[] authorization;
    private final ObjectMapper mapper = ConferenceRequestJson.newMapper();

    public EventSyncHandler(AdmissionEngine engine, EventSyncSettings settings, int maxBodyBytes) {
        this.engine = engine;
        this.settings = settings;
        this.maxBodyBytes = maxBodyBytes;
        this.authorization = settings.authorization().getBytes(StandardCharsets.UTF_8);
    }

    /** A room as the report names it: the conference, and the node when it is a node's room. */
    private record Place(EntityBareJid room, Optional<String> nodeId, Optional<DomainBareJid> nodeDomain) {
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        try {
            if (!HttpMethod.POST.is(request.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, "POST");
                throw new Refusal(HttpStatus.METHOD_NOT_ALLOWED_405, "METHOD", "use POST");
            }
            String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            if (header == null || !MessageDigest.isEqual(authorization, header.getBytes(StandardCharsets.UTF_8))) {
                throw new Refusal(HttpStatus.UNAUTHORIZED_401, "NO_AUTHORIZATION",
                        "event-sync reports need the configured Authorization header");
            }
            String path = request.getHttpURI().getPath();
            String event = path.substring(path.indexOf("/events/") + "/events/".length());
            if (!EVENTS.containsKey(event)) {
                throw new Refusal(HttpStatus.NOT_FOUND_404, "NOT_FOUND", "no event '" + event + "'; see "
                        + String.join(", ", EVENTS.keySet()));
            }
            RequestBodies.readJsonBytesAsync(request, maxBodyBytes, new RequestBodies.BodyHandler() {
                @Override
                public void body(byte[] bytes) {
                    try {
                        EventResult result = apply(event, RequestInput.object(bytes, mapper));
                        response.getHeaders().put(RESULT_HEADER, result.name());
                        response.setStatus(HttpStatus.NO_CONTENT_204);
                        callback.succeeded();
                    } catch (Refusal r) {
                        HttpReplies.error(response, r.status(), r.getMessage(), r.code(), callback);
                    } catch (RuntimeException e) {
                        log.error("Event-sync report failed", e);
                        HttpReplies.error(response, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error", callback);
                    }
                }

                @Override
                public void failed(RequestBodies.Failure failure) {
                    HttpReplies.error(response, failure.status(), failure.getMessage(), "BAD_INPUT", callback);
                }
            });
        } catch (Refusal r) {
            HttpReplies.error(response, r.status(), r.getMessage(), r.code(), callback);
        }
        return true;
    }

    /** Validates the whole report first, then applies it: a malformed one changes nothing. */
    private EventResult apply(String event, JsonNode body) throws Refusal {
        String name = RequestInput.requiredText(body, "event_name");
        if (!name.equals(EVENTS.get(event))) {
            throw Refusal.badInput("event_name '" + name + "' does not match /events/" + event);
        }
        JsonNode breakout = body.get("is_breakout");
        if (breakout != null && !breakout.isBoolean()) {
            throw Refusal.badInput("is_breakout must be a boolean");
        }
        Place place = place(RequestInput.requiredText(body, "room_jid"));
        boolean isBreakout = breakout != null && breakout.booleanValue();
        switch (event) {
            case "room/created" -> {
                return EventResult.APPLIED; // a room counts once someone joins it
            }
            case "room/destroyed" -> {
                if (isBreakout) {
                    return EventResult.IGNORED_UNKNOWN_ROOM;
                }
                return engine.report(place.nodeId().isPresent()
                        ? new OccupancyEvent.NodeRoomDestroyed(place.room(), place.nodeId().get())
                        : new OccupancyEvent.RoomDestroyed(place.room()));
            }
            default -> {
                boolean joined = event.equals("occupant/joined");
                Jid occupant = occupantJid(body);
                if (place.nodeId().isPresent()) {
                    if (isBreakout || !onNode(occupant, place.nodeDomain().get())) {
                        return EventResult.IGNORED_NOT_JOINED; // a main participant mirrored into the node's room
                    }
                    return engine.report(joined
                            ? new OccupancyEvent.OccupantJoinedNode(place.room(), place.nodeId().get(), occupant)
                            : new OccupancyEvent.VisitorLeft(place.room(), place.nodeId().get(), occupant.toString()));
                }
                int active = activeOccupants(body);
                if (isBreakout) {
                    return EventResult.IGNORED_UNKNOWN_ROOM;
                }
                return engine.report(joined ? new OccupancyEvent.OccupantJoinedMain(place.room(), occupant, active)
                        : new OccupancyEvent.OccupantLeftMain(place.room(), occupant, active));
            }
        }
    }

    /** The conference a {@code room_jid} belongs to, and its node when it is a node's room. */
    private Place place(String roomJid) throws Refusal {
        EntityBareJid internal = parseRoom(roomJid);
        String localpart = internal.getLocalpart().toString();
        String domain = internal.getDomain().toString();
        if (localpart.startsWith("[") && localpart.indexOf(']') > 1) { // mod_muc_domain_mapper's tenant form
            String tenant = localpart.substring(1, localpart.indexOf(']'));
            localpart = localpart.substring(localpart.indexOf(']') + 1);
            domain = domain.startsWith("conference.") ? "conference." + tenant + domain.substring("conference".length())
                    : tenant + "." + domain;
        }
        String main = settings.mainXmppDomain().toString();
        if (domain.equals(settings.conferenceService().toString()) || domain.endsWith("." + main)
                && !isNodeDomain(domain)) {
            return new Place(parseRoom(localpart + "@" + domain), Optional.empty(), Optional.empty());
        }
        for (Map.Entry<String, DomainBareJid> node : settings.nodeDomains().entrySet()) {
            String nodeDomain = node.getValue().toString();
            if (domain.endsWith("." + nodeDomain)) {
                // The inverse of Jicofo's getVisitorMucJid: the node's xmpp-domain back to the main one.
                String mainDomain = domain.substring(0, domain.length() - nodeDomain.length()) + main;
                return new Place(parseRoom(localpart + "@" + mainDomain), Optional.of(node.getKey()),
                        Optional.of(node.getValue()));
            }
        }
        throw Refusal.badInput("room_jid '" + roomJid + "' is in neither the main MUC service ("
                + settings.conferenceService() + ") nor a visitor node's domain");
    }

    private boolean isNodeDomain(String domain) {
        return settings.nodeDomains().values().stream().anyMatch(d -> domain.endsWith("." + d));
    }

    private static boolean onNode(Jid occupant, DomainBareJid nodeDomain) {
        String domain = occupant.getDomain().toString();
        return domain.equals(nodeDomain.toString()) || domain.endsWith("." + nodeDomain);
    }

    private static EntityBareJid parseRoom(String text) throws Refusal {
        try {
            return JoinRequest.parseRoom(text);
        } catch (IllegalArgumentException e) {
            throw Refusal.badInput("room_jid: " + e.getMessage());
        }
    }

    private static Jid occupantJid(JsonNode body) throws Refusal {
        JsonNode occupant = body.get("occupant");
        if (occupant == null || !occupant.isObject()) {
            throw Refusal.badInput("occupant must be an object with occupant_jid");
        }
        String jid = RequestInput.requiredText(occupant, "occupant_jid");
        try {
            Jid parsed = JidCreate.from(jid);
            if (parsed.getLocalpartOrNull() == null) {
                throw Refusal.badInput("occupant_jid '" + jid + "' is not a user's address");
            }
            return parsed;
        } catch (XmppStringprepException | IllegalArgumentException e) {
            throw Refusal.badInput("occupant_jid '" + jid + "' is not a valid address");
        }
    }

    private static int activeOccupants(JsonNode body) throws Refusal {
        JsonNode count = body.get("active_occupants_count");
        if (count == null || !count.canConvertToInt() || !count.isIntegralNumber() || count.intValue() < 0) {
            throw Refusal.badInput("active_occupants_count must be a whole number >= 0");
        }
        return count.intValue();
    }
}

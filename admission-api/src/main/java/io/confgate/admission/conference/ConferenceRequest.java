package io.confgate.admission.conference;

import io.confgate.admission.JoinRequest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;

/**
 * A conference request as a client sends it, the same for {@code POST /conference-request/v1} and the
 * conference IQ (Jicofo's {@code ConferenceRequest.kt} and {@code ConferenceIq}: {@code room},
 * {@code sessionId}, {@code machineUid}, {@code properties}). Of the properties, placement reads
 * {@value #VISITORS_VERSION} (the client can be a visitor, whatever its value), {@value #VISITOR}
 * ({@code "true"}: it asks to be one) and {@value #PROMOTION_TICKET}.
 *
 * @param room       the room's address as sent, not yet validated
 * @param sessionId  the client's session id, if any
 * @param machineUid the client's machine uid, if any
 * @param identity   the client's identity field, if any (carried, not used for placement)
 * @param properties the request's properties, values as text
 */
public record ConferenceRequest(String room, Optional<String> sessionId, Optional<String> machineUid,
                                Optional<String> identity, Map<String, String> properties) {
    /** Sent by every client that supports visitors (lib-jitsi-meet {@code moderator.js}). */
    public static final String VISITORS_VERSION = "visitors-version";
    /** {@code "true"} when the client prefers to join as a visitor. */
    public static final String VISITOR = "visitor";
    /** A promotion ticket the client presents (HTTP also takes it as the top-level {@code promotionTicket}). */
    public static final String PROMOTION_TICKET = "promotion-ticket";

    public ConferenceRequest {
        Objects.requireNonNull(room, "room");
        sessionId = Objects.requireNonNull(sessionId, "sessionId").filter(s -> !s.isBlank());
        machineUid = Objects.requireNonNull(machineUid, "machineUid").filter(s -> !s.isBlank());
        identity = Objects.requireNonNull(identity, "identity").filter(s -> !s.isBlank());
        properties = Map.copyOf(properties);
    }

    /** Whether the client can be a visitor (Jicofo: any {@code visitors-version} property). */
    public boolean supportsVisitors() {
        return properties.containsKey(VISITORS_VERSION);
    }

    /** Whether the client asks to be a visitor (Jicofo: property {@code visitor} is {@code "true"}). */
    public boolean visitorRequested() {
        return "true".equalsIgnoreCase(properties.get(VISITOR));
    }

    public Optional<String> promotionTicket() {
        return Optional.ofNullable(properties.get(PROMOTION_TICKET)).filter(t -> !t.isBlank());
    }

    /**
     * The engine's request for this conference request, from whoever sent it.
     *
     * @param roomJid the validated room address
     * @param claims  the token's claims (none when there is no token)
     * @param address the sender's XMPP address, when it came over XMPP
     */
    public JoinRequest toJoinRequest(EntityBareJid roomJid, TokenClaims claims, Optional<Jid> address) {
        return JoinRequest.builder(roomJid)
                .sessionId(sessionId.orElse(null))
                .machineUid(machineUid.orElse(null))
                .userId(claims.userId().orElse(null))
                .groupId(claims.groupId().orElse(null))
                .moderator(claims.moderator())
                .address(address.orElse(null))
                .supportsVisitors(supportsVisitors())
                .visitorRequested(visitorRequested())
                .promotionTicket(promotionTicket().orElse(null))
                .build();
    }
}

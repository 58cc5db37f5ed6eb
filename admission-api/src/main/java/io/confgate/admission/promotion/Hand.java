package io.confgate.admission.promotion;

import java.util.Objects;
import java.util.Optional;
import org.jxmpp.jid.EntityBareJid;

/**
 * A raised hand, as the visitor and the moderators see it.
 *
 * @param requestId   the hand's id (random, unguessable); moderators approve or deny by it
 * @param room        the conference
 * @param memberKey   the visitor's member key
 * @param userId      the visitor's user id, if it has one
 * @param groupId     the visitor's group id, if it has one
 * @param displayName the name the visitor gave, if any
 * @param nodeId      the node the hand came from, if known
 * @param state       where it stands
 * @param reason      why
 * @param ticket      the ticket, when approved
 */
public record Hand(String requestId, EntityBareJid room, String memberKey, Optional<String> userId,
                   Optional<String> groupId, Optional<String> displayName, Optional<String> nodeId,
                   HandState state, PromotionReason reason, Optional<PromotionTicket> ticket) {
    public Hand {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(memberKey, "memberKey");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(ticket, "ticket");
        if ((state == HandState.APPROVED) != ticket.isPresent()) {
            throw new IllegalArgumentException("an approved hand carries a ticket, and only an approved hand does");
        }
    }

    /** The same hand in another state. */
    public Hand with(HandState newState, PromotionReason newReason, Optional<PromotionTicket> newTicket) {
        return new Hand(requestId, room, memberKey, userId, groupId, displayName, nodeId, newState, newReason,
                newTicket);
    }
}

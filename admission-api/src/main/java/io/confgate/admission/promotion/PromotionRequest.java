package io.confgate.admission.promotion;

import io.confgate.admission.Identity;
import java.util.Objects;
import java.util.Optional;
import org.jxmpp.jid.EntityBareJid;

/**
 * A visitor's raised hand, as the focus received it (HTTP, or a {@code promotion-request} from a node).
 *
 * @param room        the conference
 * @param visitor     who raises the hand; needs a member key (session id, machine uid or user id), and its
 *                    moderator flag must come from a verified token only
 * @param displayName the name moderators see, if the visitor gave one
 * @param nodeId      the visitor node the hand came from, if known (the answer goes back there)
 */
public record PromotionRequest(EntityBareJid room, Identity visitor, Optional<String> displayName,
                               Optional<String> nodeId) {
    public PromotionRequest {
        Objects.requireNonNull(room, "room must not be null");
        Objects.requireNonNull(visitor, "visitor must not be null");
        displayName = Objects.requireNonNull(displayName, "displayName must not be null").filter(s -> !s.isBlank());
        nodeId = Objects.requireNonNull(nodeId, "nodeId must not be null").filter(s -> !s.isBlank());
    }

    /** A hand with no display name and no node. */
    public static PromotionRequest of(EntityBareJid room, Identity visitor) {
        return new PromotionRequest(room, visitor, Optional.empty(), Optional.empty());
    }
}

package io.confgate.admission.xmpp.stanza;

import java.util.Objects;
import java.util.Optional;

/** One child of a {@code <visitors xmlns='jitsi:visitors'>} IQ. */
public sealed interface VisitorsCommand permits VisitorsCommand.ConnectVnode, VisitorsCommand.DisconnectVnode,
        VisitorsCommand.PromotionRequest, VisitorsCommand.PromotionResponse {

    /** {@code <connect-vnode vnode='v1'/>}: the focus tells the visitors component a conference uses a node. */
    record ConnectVnode(String vnode) implements VisitorsCommand {
        public ConnectVnode {
            requireText(vnode, "vnode");
        }
    }

    /** {@code <disconnect-vnode vnode='v1'/>}: the conference no longer uses the node. */
    record DisconnectVnode(String vnode) implements VisitorsCommand {
        public DisconnectVnode {
            requireText(vnode, "vnode");
        }
    }

    /**
     * {@code <promotion-request jid time userId groupId forcePromote/>} from a visitor node: a visitor raised
     * ({@code time > 0}) or lowered ({@code time == 0}) its hand. The nick comes from a sibling or child
     * {@code <nick xmlns='http://jabber.org/protocol/nick'>}.
     */
    record PromotionRequest(String jid, long time, Optional<String> userId, Optional<String> groupId,
                            boolean forcePromote, Optional<String> nick) implements VisitorsCommand {
        public PromotionRequest {
            requireText(jid, "jid");
            if (time < 0) {
                throw new IllegalArgumentException("time must be >= 0, was " + time);
            }
            userId = Objects.requireNonNull(userId, "userId").filter(s -> !s.isBlank());
            groupId = Objects.requireNonNull(groupId, "groupId").filter(s -> !s.isBlank());
            nick = Objects.requireNonNull(nick, "nick").filter(s -> !s.isBlank());
        }

        /** Whether this raises the hand (a lowered hand has time 0). */
        public boolean raised() {
            return time > 0;
        }
    }

    /** {@code <promotion-response jid username allow/>}: the answer sent back to the node. */
    record PromotionResponse(String jid, String username, boolean allow) implements VisitorsCommand {
        public PromotionResponse {
            requireText(jid, "jid");
            requireText(username, "username");
        }
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be a non-blank attribute");
        }
    }
}

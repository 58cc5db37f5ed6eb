package io.confgate.admission.event;

import io.confgate.admission.VisitorNode;
import java.util.Objects;
import org.jxmpp.jid.EntityBareJid;

/**
 * A conference started or stopped using a visitor node. The XMPP layer turns these into
 * {@code connect-vnode} and {@code disconnect-vnode} requests to the visitors component.
 */
public sealed interface NodeLinkEvent {

    /** The conference. */
    EntityBareJid room();

    /** The node. */
    VisitorNode node();

    /** The conference's first visitor was sent to this node: the node must host the room now. */
    record Connect(EntityBareJid room, VisitorNode node) implements NodeLinkEvent {
        public Connect {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(node, "node");
        }
    }

    /** The conference no longer uses this node. */
    record Disconnect(EntityBareJid room, VisitorNode node, Cause cause) implements NodeLinkEvent {
        public Disconnect {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(cause, "cause");
        }
    }

    /** Why a conference stopped using a node. */
    enum Cause {
        /** Its last visitor there left. */
        LAST_VISITOR_LEFT,
        /** Its redirects there expired with no visitor having joined. */
        REDIRECTS_EXPIRED,
        /** The room was destroyed. */
        ROOM_DESTROYED
    }
}

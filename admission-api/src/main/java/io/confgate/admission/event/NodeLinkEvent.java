package io.confgate.admission.event;

import io.confgate.admission.VisitorNode;
import java.util.Objects;
import org.jxmpp.jid.EntityBareJid;

/**
 * A conference's link to a visitor node changed. A link goes {@link Prepare}, then {@link Connect}, then
 * {@link Disconnect}; {@link Connect} may come without a {@link Prepare} before it (it then prepares too), and
 * {@link Disconnect} may follow a {@link Prepare} that was never connected. The XMPP side turns them into what
 * Jicofo does: the focus joins (creating) the conference's room on the node, then sends {@code connect-vnode}
 * to the visitors component; {@code disconnect-vnode}, then it leaves.
 *
 * <p>The two steps are apart because a {@code connect-vnode} closes the main room: from then on Jitsi's
 * {@code mod_visitors_component} refuses every main-room join that was not promoted. The engine sends
 * {@link Connect} only once the members it answered "main room" are in, or their grace is over
 * ({@code admission.link.seat-grace}); visitors redirected meanwhile wait in the node room's pre-join queue,
 * which exists from {@link Prepare} on.
 */
public sealed interface NodeLinkEvent {

    /** The conference. */
    EntityBareJid room();

    /** The node. */
    VisitorNode node();

    /**
     * The conference's first visitor was sent to this node: the focus creates (joins) the conference's room
     * there, so visitors can queue in it; the link is not made yet.
     */
    record Prepare(EntityBareJid room, VisitorNode node) implements NodeLinkEvent {
        public Prepare {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(node, "node");
        }
    }

    /** Link the node now ({@code connect-vnode}): no member answered "main room" is still on the way. */
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

package io.confgate.admission.link;

import io.confgate.admission.VisitorNode;
import org.jxmpp.jid.EntityBareJid;

/**
 * The conference's room on a visitor node, as the focus holds it through its connection to that node
 * (Jicofo: {@code findOrCreateRoom} and {@code join} on the node's {@code XmppProvider}). Calls block; the
 * {@link NodeLinker} makes them off the decision path, one at a time for each conference and node.
 */
public interface NodeRoom {

    /**
     * Joins the conference's room on the node as its owner, creating it if it does not exist, and watches the
     * visitors in it. Joining a room the focus is already in does nothing (and says what it found when it
     * joined).
     *
     * @return what the focus found: a room it created, an existing room with nobody else in it, or one with
     *         occupants (visitors, or the main participants the main Prosody mirrors into a connected room)
     * @throws Exception if the room could not be joined (the link step is retried)
     */
    Opened open(EntityBareJid room, VisitorNode node) throws Exception;

    /** Leaves the conference's room on the node; nothing to do if the focus is not in it. */
    void leave(EntityBareJid room, VisitorNode node) throws Exception;

    /**
     * What the focus found in a node room it joined. Only a connected room has occupants: before the
     * {@code connect}, {@code mod_muc_meeting_id} holds every join in its pre-join queue, and the connect brings
     * the main room's participants in ({@code mod_visitors.lua} mirrors them).
     */
    enum Opened {
        /** The room did not exist: this join made it (locked until a connect). */
        CREATED,
        /** The room existed with nobody but the focus in it. */
        EMPTY,
        /** The room existed with occupants: it lived on, connected. */
        OCCUPIED
    }
}

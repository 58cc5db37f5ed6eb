package io.confgate.admission.link;

import io.confgate.admission.event.NodeLinkListener;
import org.jxmpp.jid.EntityBareJid;

/**
 * Makes the engine's node links real through a {@link NodeRoom} and a {@link VisitorsComponent}. Pass it to the
 * engine as its {@link NodeLinkListener}; it returns at once and works on its own threads, each conference and
 * node in order, different ones side by side.
 *
 * <p>Each conference-node link goes through the states the focus and Jitsi's modules hold for it:
 * <ul>
 *   <li><b>unknown</b>: not touched by this process. After a start the main Prosody may still count the node as
 *       connected for this conference ({@code mod_visitors.lua} connects a node once and forgets it only on
 *       {@code disconnect-vnode}); the first use therefore resets it: {@code disconnect-vnode}, the settle, then
 *       the room and {@code connect-vnode} as usual.</li>
 *   <li><b>none</b>, <b>open</b> (the focus is in the node's room; visitors queue there), <b>connected</b>
 *       ({@code connect-vnode} answered).</li>
 *   <li><b>stale</b>: the node ended the room while the main Prosody still counts it connected; reset as above
 *       when the link is still wanted, else {@code disconnect-vnode}.</li>
 * </ul>
 */
public interface NodeLinker extends NodeLinkListener, AutoCloseable {

    /**
     * The node ended the conference's room (mod_fmuc ends a room some seconds after its last visitor left):
     * the link is reset when the engine still wants it.
     */
    void nodeRoomEnded(EntityBareJid room, String nodeId);

    /** The focus's connection to a node is up again: it joins again the rooms it held there. */
    void nodeUp(String nodeId);

    /** What it did so far. */
    LinkStats stats();

    /** Stops working: nothing new starts, and steps in flight are interrupted. */
    @Override
    void close();
}

package io.confgate.admission.focus;

import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.MemberKind;
import io.confgate.admission.link.LinkStats;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;

/**
 * What a conference focus calls where it decides or observes, named after Jicofo's call sites. The focus keeps
 * its XMPP and media (the main room, the node rooms, Jingle); the library decides and counts: exact limits under
 * racing joins, balancing over the nodes, when a node may be connected, the promotion desk, the store. Every
 * method returns at once and is safe from any thread; members are named by their real JID (or their occupant
 * JID when the room hides it), which is all a focus sees of them.
 *
 * <p>A node link is made through the focus's own {@link io.confgate.admission.link.NodeRoom} and
 * {@link io.confgate.admission.link.VisitorsComponent}: the node's room is created when the conference first
 * sends a visitor there, and {@code connect-vnode} is sent once every member answered "main room" is in (or
 * over its grace), because from then on Jitsi's visitors component refuses main-room joins.
 */
public interface FocusAdmission extends AutoCloseable {

    /**
     * A conference request (Jicofo: {@code ConferenceIqHandler}, where it calls {@code redirectVisitor}): main
     * room, a visitor node, wait ({@code ready: false}), or refused. The request carries the room's facts as
     * the focus knows them (lobby, breakout, the room's metadata).
     */
    Decision conferenceRequest(JoinRequest request);

    /**
     * A member joined the main room (Jicofo: its main room's {@code memberJoined}). It takes the oldest seat
     * held in the room; recorders and transcribers ({@code kind}) never count.
     */
    void mainMemberJoined(EntityBareJid room, Jid member, MemberKind kind);

    /** A member left the main room or was kicked (Jicofo: {@code memberLeft}, {@code memberKicked}). */
    void mainMemberLeft(EntityBareJid room, Jid member);

    /**
     * A visitor joined the conference's room on node {@code nodeId} (Jicofo: a visitor room's
     * {@code memberJoined} with role visitor). It takes the oldest redirect to that node.
     */
    void visitorJoined(EntityBareJid room, String nodeId, Jid visitor);

    /** A visitor left the conference's room on node {@code nodeId}. */
    void visitorLeft(EntityBareJid room, String nodeId, Jid visitor);

    /**
     * The conference's room on node {@code nodeId} was destroyed (Jicofo: a visitor room's
     * {@code roomDestroyed}): its visitors are gone; the link is made again if visitors are still sent there.
     */
    void nodeRoomDestroyed(EntityBareJid room, String nodeId);

    /**
     * The focus's XMPP connection to node {@code nodeId} went up or down (Jicofo: the visitor
     * {@code XmppProvider}'s registration). A node that is down gets no visitors; when it is back the focus
     * joins its rooms there again.
     */
    void nodeConnection(String nodeId, boolean up);

    /**
     * Whether the main Prosody's visitors component is known and reachable (Jicofo: {@code VisitorsManager.enabled}).
     * Until it is, nobody is redirected.
     */
    void visitorsComponent(boolean available);

    /** The conference ended (Jicofo: {@code conferenceEnded}): everything held for it is dropped. */
    void conferenceEnded(EntityBareJid room);

    /** The engine behind the facade: occupancy, node loads, promotions, metrics. */
    AdmissionEngine engine();

    /** What the node links did so far. */
    LinkStats links();

    /** Stops the maintenance and the links, then writes the store a last time. */
    @Override
    void close();
}

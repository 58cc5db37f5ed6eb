package io.confgate.admission.xmpp.internal;

import io.confgate.admission.event.OccupancyEvent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jivesoftware.smackx.muc.MUCRole;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.Occupant;
import org.jivesoftware.smackx.muc.ParticipantStatusListener;
import org.jivesoftware.smackx.muc.UserStatusListener;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * What the focus sees from inside a conference's room on a node, as Jicofo's
 * {@code JitsiMeetConferenceImpl.VisitorChatRoomListenerImpl} sees it: mod_fmuc gives local occupants the role
 * {@code visitor}, and the owner form ({@code whois=anyone}) shows their real JIDs. Each such join is a visitor on
 * that node ({@link OccupancyEvent.OccupantJoinedNode}), each leave a {@link OccupancyEvent.VisitorLeft}; main
 * participants mirrored into the room (role participant or moderator, real JID on the main domain) are not.
 * Without these reports, and without mod_event_sync_component, a redirect would never be confirmed: it would
 * expire after the join latency and its disconnect-vnode would make mod_fmuc end the room with the visitor in it.
 *
 * <p>When the node ends the room (mod_fmuc destroys a room some seconds after its last visitor left, or on
 * {@code disconnect}), {@code destroyed} runs: Jicofo's {@code roomDestroyed} forgets the room, so that the next
 * redirect joins and connects again.
 */
final class NodeRoomOccupants implements ParticipantStatusListener, UserStatusListener {
    private final EntityBareJid mainRoom;
    private final String nodeId;
    private final DomainBareJid nodeDomain;
    private final MultiUserChat muc;
    private final Consumer<OccupancyEvent> report;
    private final Runnable destroyed;
    /** Occupant (room/nick) → real JID, for the leave: Smack forgets the occupant before it calls {@code left}. */
    private final Map<EntityFullJid, Jid> visitors = new ConcurrentHashMap<>();

    NodeRoomOccupants(EntityBareJid mainRoom, String nodeId, DomainBareJid nodeDomain, MultiUserChat muc,
                      Consumer<OccupancyEvent> report, Runnable destroyed) {
        this.mainRoom = mainRoom;
        this.nodeId = nodeId;
        this.nodeDomain = nodeDomain;
        this.muc = muc;
        this.report = report;
        this.destroyed = destroyed;
    }

    void attach() {
        muc.addParticipantStatusListener(this);
        muc.addUserStatusListener(this);
    }

    void detach() {
        muc.removeParticipantStatusListener(this);
        muc.removeUserStatusListener(this);
        visitors.clear();
    }

    @Override
    public void joined(EntityFullJid participant) {
        Occupant occupant = muc.getOccupant(participant);
        if (occupant == null || occupant.getRole() != MUCRole.visitor || occupant.getJid() == null
                || !occupant.getJid().asDomainBareJid().equals(nodeDomain)) {
            return; // the focus, or a main participant mirrored over s2s
        }
        if (visitors.put(participant, occupant.getJid()) == null) {
            report.accept(new OccupancyEvent.OccupantJoinedNode(mainRoom, nodeId, occupant.getJid()));
        }
    }

    @Override
    public void left(EntityFullJid participant) {
        gone(participant);
    }

    @Override
    public void kicked(EntityFullJid participant, Jid actor, String reason) {
        gone(participant);
    }

    @Override
    public void banned(EntityFullJid participant, Jid actor, String reason) {
        gone(participant);
    }

    @Override
    public void nicknameChanged(EntityFullJid participant, Resourcepart newNickname) {
        Jid real = visitors.remove(participant);
        if (real != null) {
            visitors.put(JidCreate.entityFullFrom(participant.asEntityBareJid(), newNickname), real);
        }
    }

    @Override
    public void roomDestroyed(MultiUserChat alternateMuc, String reason) {
        visitors.clear();
        destroyed.run();
    }

    private void gone(EntityFullJid participant) {
        Jid real = visitors.remove(participant);
        if (real != null) {
            report.accept(new OccupancyEvent.VisitorLeft(mainRoom, nodeId, real.toString()));
        }
    }
}

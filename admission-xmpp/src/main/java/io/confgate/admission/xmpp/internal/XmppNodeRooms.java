package io.confgate.admission.xmpp.internal;

import io.confgate.admission.VisitorNode;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.link.NodeRoom;
import io.confgate.admission.xmpp.XmppSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatException;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * The conference's rooms on the visitor nodes, held through the focus's connection to each node as Jicofo holds
 * them ({@code selectVisitorNode}: {@code findOrCreateRoom}, {@code join}): joined (created) as owner with the
 * focus's username as nickname ({@code mod_muc_meeting_id} recognises the focus by the nick {@code focus}), and
 * the owner form submitted with {@code muc#roomconfig_whois=anyone} ({@code ChatRoomImpl.joinAs}). While in a room
 * the focus reports the visitors it sees there ({@link NodeRoomOccupants}); when the node ends a room,
 * {@code ended} hears it.
 */
public final class XmppNodeRooms implements NodeRoom {
    private final XmppSettings settings;
    private final Map<String, SupervisedConnection> nodes;
    private final Consumer<OccupancyEvent> occupancy;
    private final BiConsumer<EntityBareJid, String> ended;
    /** Room and node → the focus's view of that node room while it is in it. */
    private final Map<String, NodeRoomOccupants> inRooms = new ConcurrentHashMap<>();

    /**
     * @param occupancy where the visitors seen joining and leaving go (the engine)
     * @param ended     told when a node ends a room the focus is in (not after the focus's own leave)
     */
    public XmppNodeRooms(XmppSettings settings, Map<String, SupervisedConnection> nodes,
                         Consumer<OccupancyEvent> occupancy, BiConsumer<EntityBareJid, String> ended) {
        this.settings = settings;
        this.nodes = Map.copyOf(nodes);
        this.occupancy = occupancy;
        this.ended = ended;
    }

    @Override
    public Opened open(EntityBareJid room, VisitorNode node) throws Exception {
        SupervisedConnection connection = nodes.get(node.id());
        if (connection == null) {
            return Opened.CREATED; // a node without an account of the focus: only the component is told
        }
        if (!connection.isUp()) {
            throw new IllegalStateException("the XMPP connection to node " + node.id() + " is down");
        }
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(connection.smack()).getMultiUserChat(nodeRoom(room,
                connection));
        String key = key(room, node.id());
        if (muc.isJoined() && inRooms.containsKey(key)) {
            return muc.getOccupantsCount() > 1 ? Opened.OCCUPIED : Opened.EMPTY;
        }
        if (muc.isJoined()) {
            // Smack still counts the focus in after a reconnect that did not resume the session; the node does not.
            leaveQuietly(muc);
        }
        // Watching starts before the join, so the visitors already in a room that lived on are seen.
        NodeRoomOccupants occupants = new NodeRoomOccupants(room, node.id(), connection.account().xmppDomain(), muc,
                occupancy, () -> roomEnded(room, node.id()));
        NodeRoomOccupants previous = inRooms.put(key, occupants);
        if (previous != null) {
            previous.detach();
        }
        occupants.attach();
        boolean created;
        try {
            created = muc.createOrJoin(Resourcepart.from(connection.account().username())) != null;
        } catch (MultiUserChatException.MucAlreadyJoinedException e) {
            created = false; // Smack still counts us in: nothing was lost
        } catch (Exception e) {
            stopWatching(key);
            throw e;
        }
        FillableForm form = muc.getConfigurationForm().getFillableForm();
        form.setAnswer("muc#roomconfig_whois", "anyone");
        muc.sendConfigurationForm(form);
        if (created) {
            return Opened.CREATED;
        }
        // Occupants' presences come before the focus's own (XEP-0045 7.2.3): the count is complete here.
        return muc.getOccupantsCount() > 1 ? Opened.OCCUPIED : Opened.EMPTY;
    }

    @Override
    public void leave(EntityBareJid room, VisitorNode node) throws Exception {
        stopWatching(key(room, node.id())); // our own leave (and the end our disconnect causes) reports nothing
        SupervisedConnection connection = nodes.get(node.id());
        if (connection == null || !connection.isUp()) {
            return; // nothing joined to leave
        }
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(connection.smack()).getMultiUserChat(nodeRoom(room,
                connection));
        if (muc.isJoined()) {
            muc.leave();
        }
    }

    /**
     * The focus's connection to the node was lost: the node took it out of every room there. Watching stops
     * until the rooms are joined again.
     */
    public void connectionLost(String nodeId) {
        inRooms.keySet().removeIf(key -> {
            if (key.endsWith("|" + nodeId)) {
                NodeRoomOccupants occupants = inRooms.get(key);
                if (occupants != null) {
                    occupants.detach();
                }
                return true;
            }
            return false;
        });
    }

    private static void leaveQuietly(MultiUserChat muc) {
        try {
            muc.leave();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Smack resets its own state whatever the answer; there is nothing else to do.
        }
    }

    /** Whether the focus is in the conference's room on the node. */
    public boolean isIn(EntityBareJid room, String nodeId) {
        return inRooms.containsKey(key(room, nodeId));
    }

    /**
     * The node ended a room the focus was in (mod_fmuc ends a room some seconds after its last visitor left, or
     * on {@code disconnect}): its visitors are gone. Runs on Smack's listener thread.
     */
    private void roomEnded(EntityBareJid room, String nodeId) {
        stopWatching(key(room, nodeId));
        occupancy.accept(new OccupancyEvent.NodeRoomDestroyed(room, nodeId));
        ended.accept(room, nodeId);
    }

    private void stopWatching(String key) {
        NodeRoomOccupants occupants = inRooms.remove(key);
        if (occupants != null) {
            occupants.detach();
        }
    }

    private static String key(EntityBareJid room, String nodeId) {
        return room + "|" + nodeId;
    }

    /**
     * The node's room for a main room: the main address with the main xmpp-domain replaced by the node's
     * ({@code room@conference.meet.jitsi} → {@code room@conference.v1.meet.jitsi}), as Jicofo's
     * {@code ConferenceUtil.getVisitorMucJid}; else the same name in the node's {@code conference-service}.
     */
    private EntityBareJid nodeRoom(EntityBareJid room, SupervisedConnection node) throws XmppStringprepException {
        String mainDomain = settings.main().xmppDomain().toString();
        String domain = room.getDomain().toString();
        if (domain.equals(mainDomain) || domain.endsWith("." + mainDomain)) {
            String nodeDomain = domain.substring(0, domain.length() - mainDomain.length())
                    + node.account().xmppDomain();
            return JidCreate.entityBareFrom(room.getLocalpart() + "@" + nodeDomain);
        }
        return JidCreate.entityBareFrom(room.getLocalpart() + "@" + node.account().conferenceService());
    }
}

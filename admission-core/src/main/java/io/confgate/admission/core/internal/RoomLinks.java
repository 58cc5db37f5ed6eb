package io.confgate.admission.core.internal;

import io.confgate.admission.event.NodeLinkEvent;
import java.util.ArrayList;
import java.util.List;
import org.jxmpp.jid.EntityBareJid;

/**
 * Which visitor nodes one conference uses, how far each link is, and the link changes not yet sent. A link is
 * first <em>prepared</em> (the focus creates the node's room, visitors queue in it), then <em>connected</em>
 * ({@code connect-vnode}) once {@link Room} says nothing is on its way into the main room; with a visitors
 * component that lets everyone into the main room it is connected at once. Changed under the room's lock;
 * {@link Rooms} sends the changes after releasing it, in order, under {@link #delivery}.
 */
final class RoomLinks {
    private enum Stage { NONE, PREPARED, CONNECTED }

    private final EntityBareJid room;
    private final Stage[] stages;
    private final boolean connectAtOnce;
    private final List<NodeLinkEvent> changes = new ArrayList<>(0);
    private int prepared;
    private int wanted;
    /** Orders the sending of this room's link changes (taken without the room's lock held). */
    final Object delivery = new Object();

    RoomLinks(EntityBareJid room, int nodes, boolean connectAtOnce) {
        this.room = room;
        this.stages = new Stage[nodes];
        java.util.Arrays.fill(stages, Stage.NONE);
        this.connectAtOnce = connectAtOnce;
    }

    /** Whether the conference uses the node: prepared or connected. */
    boolean isLinked(NodeSlot node) {
        return stages[node.index] != Stage.NONE;
    }

    /** Whether the node's link is prepared and waits to be connected. */
    boolean isPending(NodeSlot node) {
        return stages[node.index] == Stage.PREPARED;
    }

    /** Whether any link is prepared or connected. */
    boolean any() {
        return wanted > 0;
    }

    /** Whether any link waits to be connected. */
    boolean anyPending() {
        return prepared > 0;
    }

    /** Starts using the node: prepared (or connected at once, see above). */
    void link(NodeSlot node) {
        if (stages[node.index] == Stage.NONE) {
            wanted++;
            if (connectAtOnce) {
                stages[node.index] = Stage.CONNECTED;
                changes.add(new NodeLinkEvent.Connect(room, node.node));
            } else {
                stages[node.index] = Stage.PREPARED;
                prepared++;
                changes.add(new NodeLinkEvent.Prepare(room, node.node));
            }
        }
    }

    /** Connects every prepared link. */
    void connectPending(NodeSlot[] nodes) {
        for (NodeSlot node : nodes) {
            if (stages[node.index] == Stage.PREPARED) {
                stages[node.index] = Stage.CONNECTED;
                prepared--;
                changes.add(new NodeLinkEvent.Connect(room, node.node));
            }
        }
    }

    void unlink(NodeSlot node, NodeLinkEvent.Cause cause) {
        Stage stage = stages[node.index];
        if (stage != Stage.NONE) {
            if (stage == Stage.PREPARED) {
                prepared--;
            }
            wanted--;
            stages[node.index] = Stage.NONE;
            changes.add(new NodeLinkEvent.Disconnect(room, node.node, cause));
        }
    }

    boolean hasChanges() {
        return !changes.isEmpty();
    }

    /** The changes made since the last call, oldest first. */
    List<NodeLinkEvent> take() {
        List<NodeLinkEvent> out = List.copyOf(changes);
        changes.clear();
        return out;
    }
}

package io.confgate.admission.core.internal;

import io.confgate.admission.event.NodeLinkEvent;
import java.util.ArrayList;
import java.util.List;
import org.jxmpp.jid.EntityBareJid;

/**
 * Which visitor nodes one conference is linked to, and the link changes not yet sent. Changed under the
 * room's lock; {@link Rooms} sends the changes after releasing it, in order, under {@link #delivery}.
 */
final class RoomLinks {
    private final EntityBareJid room;
    private final boolean[] linked;
    private final List<NodeLinkEvent> changes = new ArrayList<>(0);
    /** Orders the sending of this room's link changes (taken without the room's lock held). */
    final Object delivery = new Object();

    RoomLinks(EntityBareJid room, int nodes) {
        this.room = room;
        this.linked = new boolean[nodes];
    }

    boolean isLinked(NodeSlot node) {
        return linked[node.index];
    }

    boolean any() {
        for (boolean l : linked) {
            if (l) {
                return true;
            }
        }
        return false;
    }

    void link(NodeSlot node) {
        if (!linked[node.index]) {
            linked[node.index] = true;
            changes.add(new NodeLinkEvent.Connect(room, node.node));
        }
    }

    void unlink(NodeSlot node, NodeLinkEvent.Cause cause) {
        if (linked[node.index]) {
            linked[node.index] = false;
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

package io.confgate.admission;

import java.util.Objects;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * One visitor node (a visitor Prosody, {@code v1} … {@code vN}).
 *
 * @param id           the node id as in {@code jicofo.xmpp.visitors.<id>} and the {@code vnode} field
 * @param focusJid     the focus address on that node, e.g. {@code focus@auth.v1.meet.jitsi}
 * @param capacity     visitors the node carries safely across all conferences (the deployment notes:
 *                     2000)
 * @param weight       relative share under the {@code spread} policy; 1.0 is ordinary
 * @param initialState the state the node starts in; {@link NodeState#DRAINING} to keep it out of use
 */
public record VisitorNode(String id, EntityBareJid focusJid, int capacity, double weight, NodeState initialState) {

    /** Visitors per node the deployment notes call safe. */
    public static final int DEFAULT_CAPACITY = 2000;

    public VisitorNode {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("node id must not be blank");
        }
        Objects.requireNonNull(focusJid, () -> "node " + id + ": focusJid must not be null");
        if (capacity < 1) {
            throw new IllegalArgumentException("node " + id + ": capacity must be >= 1, was " + capacity);
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("node " + id + ": weight must be a positive number, was " + weight);
        }
        Objects.requireNonNull(initialState, () -> "node " + id + ": initialState must not be null");
    }

    /** A node with the default capacity, weight 1 and state UP. */
    public static VisitorNode of(String id, EntityBareJid focusJid) {
        return new VisitorNode(id, focusJid, DEFAULT_CAPACITY, 1.0, NodeState.UP);
    }

    /**
     * A node named {@code id} whose focus is {@code focus@auth.<id>.<domain>}, the layout of the
     * deployment notes ({@code focus@auth.v1.meet.jitsi}).
     */
    public static VisitorNode conventional(String id, String domain, int capacity) {
        EntityBareJid focus = JidCreate.entityBareFromOrThrowUnchecked("focus@auth." + id + "." + domain);
        return new VisitorNode(id, focus, capacity, 1.0, NodeState.UP);
    }

    /** This node with another capacity. */
    public VisitorNode withCapacity(int newCapacity) {
        return new VisitorNode(id, focusJid, newCapacity, weight, initialState);
    }

    /** This node with another weight. */
    public VisitorNode withWeight(double newWeight) {
        return new VisitorNode(id, focusJid, capacity, newWeight, initialState);
    }
}

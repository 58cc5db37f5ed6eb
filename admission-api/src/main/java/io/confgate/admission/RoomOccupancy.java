package io.confgate.admission;

import java.util.Map;
import org.jxmpp.jid.EntityBareJid;

/**
 * A snapshot of one room's counts.
 *
 * @param room             the room
 * @param mainMembers      counted members in the main room
 * @param reservedSeats    main seats held for members that have not joined yet
 * @param uncountedMembers recorders, transcribers and other members that never count
 * @param visitorsByNode   joined visitors per node id (nodes with none are absent)
 * @param pendingByNode    redirects not yet confirmed per node id (nodes with none are absent)
 */
public record RoomOccupancy(
        EntityBareJid room,
        int mainMembers,
        int reservedSeats,
        int uncountedMembers,
        Map<String, Integer> visitorsByNode,
        Map<String, Integer> pendingByNode) {

    public RoomOccupancy {
        visitorsByNode = Map.copyOf(visitorsByNode);
        pendingByNode = Map.copyOf(pendingByNode);
    }

    /** Main occupancy as the limit rule counts it: joined members plus reserved seats. */
    public int mainOccupancy() {
        return mainMembers + reservedSeats;
    }

    /** Joined visitors over all nodes. */
    public int visitors() {
        return visitorsByNode.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Pending redirects over all nodes. */
    public int pendingVisitors() {
        return pendingByNode.values().stream().mapToInt(Integer::intValue).sum();
    }
}

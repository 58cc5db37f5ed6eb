package io.confgate.admission;

import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.promotion.Promotions;
import java.util.List;
import java.util.Optional;
import org.jxmpp.jid.EntityBareJid;

/**
 * Decides, for every join request, main room or visitor node, and keeps the counts that decision rests
 * on. Thread-safe: decisions for different rooms never wait for each other, and decisions for one room
 * are serialized so that the main room never receives more than its limit through the limit rule.
 *
 * <p>Counting contract: a {@link Decision.Main} with a reserved seat, or a {@link Decision.Visitor},
 * holds its place for {@link AdmissionConfig#vnodeJoinLatency()}; the focus confirms it by reporting the
 * join ({@link #report}) under {@link Decision#memberKey()}. An unconfirmed place expires.
 */
public interface AdmissionEngine extends AutoCloseable {

    /** Places one join request. Never returns null; throws only for a null request. */
    Decision decide(JoinRequest request);

    /**
     * Applies an occupancy change the focus observed. Events that do not fit the known state (unknown
     * room or node, a leave without a join, a duplicate join) change nothing, are logged, and say so in
     * the result.
     */
    EventResult report(OccupancyEvent event);

    /**
     * Marks a node up, draining or down at run time. Draining and down nodes get no new visitors; the
     * visitors already there stay counted until their leaves are reported.
     *
     * @throws IllegalArgumentException if no node has this id
     */
    void setNodeState(String nodeId, NodeState state);

    /**
     * Whether visitors can be redirected now. A focus with XMPP signaling sets it false while the visitors
     * component is unknown or unreachable: nobody is then redirected ({@link Reason#VISITORS_UNAVAILABLE})
     * and answers say {@code visitors-supported: false}, as Jicofo's {@code VisitorsManager.enabled}
     * needs the component's address. True from the start for an engine without signaling.
     */
    void setVisitorsAvailable(boolean available);

    /** See {@link #setVisitorsAvailable(boolean)}. */
    boolean visitorsAvailable();

    /** A consistent snapshot of one room's counts, if the room is tracked. */
    Optional<RoomOccupancy> occupancy(EntityBareJid room);

    /** A snapshot of every node's load, in configuration order. */
    List<NodeLoad> nodeLoads();

    /** Totals over every tracked room; takes each room's lock briefly, so call it for metrics, not per request. */
    EngineTotals totals();

    /** What the engine's store did since the start; empty for an engine kept in memory only. */
    default java.util.Optional<StoreStats> storeStats() {
        return java.util.Optional.empty();
    }

    /**
     * Runs pending maintenance now: expires seats and redirects whose time is up, sends the disconnect
     * events that expiry implies, and forgets empty idle rooms. A room expires its own places whenever
     * a decision or event touches it; a room nothing touches gives its expired places, and their node
     * load, back only here. A focus therefore calls this every second or so (the standalone server
     * does), which bounds how late an idle room's redirects free their nodes.
     */
    void cleanUp();

    /** Promotion of this engine's visitors to the main room; tickets it issues are redeemed by {@link #decide}. */
    Promotions promotions();

    /** The configuration the engine runs with. */
    AdmissionConfig config();

    /**
     * Writes the engine's state one last time, when it keeps one in a store, and releases the store. An
     * in-memory engine has nothing to do. Decisions after close are not kept.
     */
    @Override
    void close();
}

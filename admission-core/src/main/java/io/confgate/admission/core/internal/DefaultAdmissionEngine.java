package io.confgate.admission.core.internal;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.EngineTotals;
import io.confgate.admission.EventResult;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.MemberKind;
import io.confgate.admission.NodeLoad;
import io.confgate.admission.NodeState;
import io.confgate.admission.RoomFactsSource;
import io.confgate.admission.RoomOccupancy;
import io.confgate.admission.Ticker;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.event.NodeLinkListener;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.event.PromotionListener;
import io.confgate.admission.promotion.Promotions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jxmpp.jid.EntityBareJid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: for a decision, {@link Placement} under the room's lock; for a reported event, the matching
 * {@link Room} transition; for promotion, the {@link PromotionDesk}. Locking is per room ({@link Rooms});
 * node loads are atomics taken by compare-and-set ({@link NodeSlot}). No lock spans rooms.
 */
public final class DefaultAdmissionEngine implements AdmissionEngine {
    private static final Logger log = LoggerFactory.getLogger(DefaultAdmissionEngine.class);

    private final AdmissionConfig config;
    private final NodeSlot[] nodes;
    private final Rooms rooms;
    private final PromotionDesk desk;
    private final Placement placement;
    private final AtomicLong anonymousKeys = new AtomicLong();
    private final Optional<Persistence> persistence;

    /** An engine kept in memory only. */
    public DefaultAdmissionEngine(AdmissionConfig config, Ticker ticker, RoomFactsSource roomFacts,
                                  NodeLinkListener nodeLinkListener, PromotionListener promotionListener) {
        this(config, ticker, roomFacts, nodeLinkListener, promotionListener, Optional.empty());
    }

    /**
     * An engine whose state is kept in a store under {@code store}'s directory, written every
     * {@code store}'s interval and at {@link #close}, and rebuilt from it now.
     */
    public DefaultAdmissionEngine(AdmissionConfig config, Ticker ticker, RoomFactsSource roomFacts,
                                  NodeLinkListener nodeLinkListener, PromotionListener promotionListener,
                                  Optional<StoreSettings> store) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ticker, "ticker");
        Budget hands = new Budget(config.promotion().maxHands());
        List<VisitorNode> configured = config.nodes();
        this.nodes = new NodeSlot[configured.size()];
        Map<String, NodeSlot> byId = new HashMap<>();
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new NodeSlot(configured.get(i), i);
            byId.put(configured.get(i).id(), nodes[i]);
        }
        this.rooms = new Rooms(nodes, Map.copyOf(byId), config.vnodeJoinLatency().toNanos(),
                config.seatGrace().toNanos(), config.componentAutoAllows(), ticker,
                Objects.requireNonNull(roomFacts, "roomFacts"),
                Objects.requireNonNull(nodeLinkListener, "nodeLinkListener"), config.maxRooms(), config.maxHeldPlaces(),
                hands);
        this.desk = new PromotionDesk(rooms, config.promotion(), ticker,
                Objects.requireNonNull(promotionListener, "promotionListener"), hands);
        this.placement = new Placement(config, rooms,
                new Balancer(nodes, config.balancing(), config.maxVisitorsPerNode(),
                        config.maxWaitingVisitors()), desk);
        this.persistence = store.map(s -> Persistence.start(s.directory(), s.writeInterval(), s.wallClock(), rooms,
                Map.copyOf(byId), desk, ticker, config.promotion().pendingLifetime().toNanos()));
    }

    /**
     * Where an engine keeps its state, how often it writes it, and the wall clock that dates what it keeps
     * (a deadline must mean the same to the next process).
     */
    public record StoreSettings(java.nio.file.Path directory, java.time.Duration writeInterval,
                                java.time.Clock wallClock) {
        public StoreSettings {
            Objects.requireNonNull(directory, "directory");
            Objects.requireNonNull(wallClock, "wallClock");
            if (writeInterval == null || writeInterval.isNegative() || writeInterval.isZero()) {
                throw new IllegalArgumentException("invalid configuration 'admission.store.write-interval': must be a"
                        + " positive duration, was " + writeInterval);
            }
        }
    }

    @Override
    public Optional<io.confgate.admission.StoreStats> storeStats() {
        return persistence.map(Persistence::stats);
    }

    /** Writes what changed to the store now (a no-op without one). */
    public void flush() {
        persistence.ifPresent(Persistence::write);
    }

    /** A simulated crash, for tests: the store is let go without the last interval's changes. */
    void crash() {
        persistence.ifPresent(Persistence::abandon);
    }

    /** Writes the store one last time and closes it; an engine without a store has nothing to close. */
    @Override
    public void close() {
        persistence.ifPresent(Persistence::close);
    }

    @Override
    public AdmissionConfig config() {
        return config;
    }

    @Override
    public Promotions promotions() {
        return desk;
    }

    @Override
    public Decision decide(JoinRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        String key = request.identity().memberKey().orElseGet(() -> "anonymous-" + anonymousKeys.incrementAndGet());
        return placement.place(request, key);
    }

    // ---------------------------------------------------------------- occupancy events

    @Override
    public EventResult report(OccupancyEvent event) {
        Objects.requireNonNull(event, "event must not be null");
        if (event instanceof OccupancyEvent.RoomDestroyed destroyed) {
            if (!rooms.destroy(destroyed.room(), desk::roomDestroyed)) {
                return ignored(EventResult.IGNORED_UNKNOWN_ROOM, event);
            }
            log.debug("Room {} destroyed", destroyed.room());
            return EventResult.APPLIED;
        }
        // A join is a fact even for a room the engine has not seen (or forgot while idle): count it.
        // A leave for an unknown room has nothing to subtract from.
        EventResult result;
        if (event instanceof OccupancyEvent.MainJoined e) {
            boolean uncounted = placement.isIgnored(e.kind(), e.address());
            result = rooms.inRoom(e.room(), true, room -> uncounted ? room.uncountedJoined(e.memberKey())
                    : room.mainJoined(e.memberKey()));
        } else if (event instanceof OccupancyEvent.OccupantJoinedMain e) {
            boolean uncounted = placement.isIgnored(e.kind(), Optional.of(e.occupantJid()));
            result = rooms.inRoom(e.room(), true, room -> room.occupantJoinedMain(e.occupantJid().toString(),
                    uncounted, e.activeOccupants()));
        } else if (event instanceof OccupancyEvent.OccupantLeftMain e) {
            // A leave Prosody reports is a fact about the count even for a room not seen yet (a restart).
            result = rooms.inRoom(e.room(), true, room -> room.occupantLeftMain(e.occupantJid().toString(),
                    e.activeOccupants()));
        } else if (event instanceof OccupancyEvent.OccupantJoinedNode e) {
            NodeSlot node = rooms.node(e.nodeId());
            result = node == null ? EventResult.IGNORED_UNKNOWN_NODE
                    : rooms.inRoom(e.room(), true, room -> room.occupantJoinedNode(node, e.occupantJid().toString()));
        } else if (event instanceof OccupancyEvent.NodeRoomDestroyed e) {
            NodeSlot node = rooms.node(e.nodeId());
            result = node == null ? EventResult.IGNORED_UNKNOWN_NODE
                    : rooms.inRoom(e.room(), false, room -> room.nodeRoomDestroyed(node));
        } else if (event instanceof OccupancyEvent.MainLeft e) {
            result = rooms.inRoom(e.room(), false, room -> room.mainLeft(e.memberKey()));
        } else if (event instanceof OccupancyEvent.VisitorJoined e) {
            NodeSlot node = rooms.node(e.nodeId());
            result = node == null ? EventResult.IGNORED_UNKNOWN_NODE
                    : rooms.inRoom(e.room(), true, room -> room.visitorJoined(node, e.memberKey()));
        } else {
            OccupancyEvent.VisitorLeft e = (OccupancyEvent.VisitorLeft) event;
            NodeSlot node = rooms.node(e.nodeId());
            result = node == null ? EventResult.IGNORED_UNKNOWN_NODE : rooms.inRoom(e.room(), false, room -> {
                EventResult left = room.visitorLeft(node, e.memberKey());
                if (left.applied()) {
                    desk.visitorLeft(room, e.memberKey()); // its raised hand goes with it
                }
                return left;
            });
        }
        if (result == null) {
            // A join (or a count Prosody reports) finds no room only when no room could be made for it.
            boolean creates = event instanceof OccupancyEvent.MainJoined || event instanceof OccupancyEvent.VisitorJoined
                    || event instanceof OccupancyEvent.OccupantJoinedMain || event instanceof OccupancyEvent.OccupantLeftMain
                    || event instanceof OccupancyEvent.OccupantJoinedNode;
            result = creates ? EventResult.IGNORED_CAPACITY : EventResult.IGNORED_UNKNOWN_ROOM;
        }
        return result.applied() ? result : ignored(result, event);
    }

    private static EventResult ignored(EventResult result, OccupancyEvent event) {
        if (result == EventResult.IGNORED_DUPLICATE || result == EventResult.IGNORED_NOT_JOINED
                || result == EventResult.IGNORED_UNKNOWN_ROOM && event instanceof OccupancyEvent.NodeRoomDestroyed) {
            // A node ends its room after the conference ended (its disconnect), which dropped the room already.
            // Normal when two sources report the same join (event-sync and the focus in a node room), or a retry.
            log.debug("Ignored occupancy event ({}): {}", result, event);
        } else {
            log.warn("Ignored occupancy event ({}): {}", result, event);
        }
        return result;
    }

    // ---------------------------------------------------------------- nodes, snapshots, maintenance

    @Override
    public void setNodeState(String nodeId, NodeState state) {
        Objects.requireNonNull(state, "state must not be null");
        NodeSlot node = nodeId == null ? null : rooms.node(nodeId);
        if (node == null) {
            throw new IllegalArgumentException("unknown visitor node '" + nodeId + "'; configured: "
                    + config.nodes().stream().map(VisitorNode::id).toList());
        }
        node.state(state);
        persistence.ifPresent(p -> p.nodeState(nodeId, state));
        log.info("Visitor node {} is now {}", nodeId, state);
    }

    @Override
    public void setVisitorsAvailable(boolean available) {
        if (placement.visitorsAvailable(available) != available) {
            log.info("Visitors are {} (visitors component {})", available ? "available" : "unavailable",
                    available ? "known" : "not known or not reachable");
        }
    }

    @Override
    public boolean visitorsAvailable() {
        return placement.visitorsAvailable();
    }

    @Override
    public Optional<RoomOccupancy> occupancy(EntityBareJid room) {
        return Optional.ofNullable(rooms.read(Objects.requireNonNull(room, "room must not be null"), Room::snapshot));
    }

    @Override
    public List<NodeLoad> nodeLoads() {
        List<NodeLoad> out = new ArrayList<>(nodes.length);
        for (NodeSlot node : nodes) {
            out.add(node.snapshot());
        }
        return out;
    }

    @Override
    public EngineTotals totals() {
        int[] sums = new int[6];
        rooms.forEach(room -> {
            RoomOccupancy o = room.snapshot();
            sums[0]++;
            sums[1] += o.mainMembers();
            sums[2] += o.reservedSeats();
            sums[3] += o.visitors();
            sums[4] += o.pendingVisitors();
            sums[5] += room.links().anyPending() ? 1 : 0;
        });
        return new EngineTotals(sums[0], sums[1], sums[2], sums[3], sums[4], desk.handCount(), desk.ticketCount(),
                desk.trackedVisitorCount(), sums[5], rooms.seatsGivenUp());
    }

    @Override
    public void cleanUp() {
        desk.cleanUp();
        rooms.forEach(room -> {
            room.connectWhenClear(); // a link whose seats' grace ran out is made now
            room.unlinkUnused();
            desk.sweep(room);
            if (room.isIdleAt(rooms.now())) {
                rooms.forget(room);
                log.debug("Forgot idle room {}", room.jid());
            }
        });
    }
}

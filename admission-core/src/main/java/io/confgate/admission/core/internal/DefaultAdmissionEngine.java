package io.confgate.admission.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.Decision;
import io.confgate.admission.EngineTotals;
import io.confgate.admission.EventResult;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.MemberKind;
import io.confgate.admission.NodeLoad;
import io.confgate.admission.NodeState;
import io.confgate.admission.NoNodeFallback;
import io.confgate.admission.Reason;
import io.confgate.admission.RoomFacts;
import io.confgate.admission.RoomFactsSource;
import io.confgate.admission.RoomOccupancy;
import io.confgate.admission.Ticker;
import io.confgate.admission.TicketCheck;
import io.confgate.admission.VisitorNode;
import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.event.NodeLinkListener;
import io.confgate.admission.event.OccupancyEvent;
import io.confgate.admission.event.PromotionListener;
import io.confgate.admission.promotion.Promotions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine. Locking: one monitor per room ({@link RoomState}); node loads are atomics taken with
 * compare-and-set ({@link NodeSlot}); held places live in two Caffeine caches whose expiry gives them
 * back without taking any lock. There is no lock shared by all rooms.
 */
public final class DefaultAdmissionEngine implements AdmissionEngine {
    private static final Logger log = LoggerFactory.getLogger(DefaultAdmissionEngine.class);

    private final AdmissionConfig config;
    private final Ticker ticker;
    private final RoomFactsSource roomFacts;
    private final NodeLinkListener nodeLinkListener;
    private final NodeSlot[] slots;
    private final Map<String, NodeSlot> slotsById;
    private final Balancer balancer;
    private final long latencyNanos;
    private final ConcurrentHashMap<EntityBareJid, RoomState> rooms = new ConcurrentHashMap<>();
    /** Main seats held for members that have not joined yet. */
    private final Cache<Placement.Key, Placement> seats;
    /** Redirects to nodes not yet confirmed by a visitor join. */
    private final Cache<Placement.Key, Placement> redirects;
    private final AtomicLong anonymousKeys = new AtomicLong();
    private final PromotionDesk desk;
    private static final long EXPIRY_CHECK_INTERVAL_NANOS = 1_000_000_000L;

    public DefaultAdmissionEngine(AdmissionConfig config, Ticker ticker, RoomFactsSource roomFacts,
                                  NodeLinkListener nodeLinkListener, PromotionListener promotionListener) {
        this.config = Objects.requireNonNull(config, "config");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.roomFacts = Objects.requireNonNull(roomFacts, "roomFacts");
        this.nodeLinkListener = Objects.requireNonNull(nodeLinkListener, "nodeLinkListener");
        List<VisitorNode> nodes = config.nodes();
        this.slots = new NodeSlot[nodes.size()];
        Map<String, NodeSlot> byId = new HashMap<>();
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new NodeSlot(nodes.get(i), i);
            byId.put(nodes.get(i).id(), slots[i]);
        }
        this.slotsById = Map.copyOf(byId);
        this.balancer = new Balancer(slots, config.balancing(), config.maxVisitorsPerNode());
        this.latencyNanos = config.vnodeJoinLatency().toNanos();
        this.seats = newPlacementCache();
        this.redirects = newPlacementCache();
        this.desk = new PromotionDesk(this, config.promotion(), ticker,
                Objects.requireNonNull(promotionListener, "promotionListener"));
    }

    private Cache<Placement.Key, Placement> newPlacementCache() {
        // Synchronous maintenance: expiry is applied on the calling thread, in order, so counts are exact
        // and tests are deterministic. The listener touches only atomics, so it never waits for a lock.
        return Caffeine.newBuilder()
                .expireAfterWrite(config.vnodeJoinLatency())
                .ticker(ticker::read)
                .executor(Runnable::run)
                .removalListener((Placement.Key key, Placement placement, RemovalCause cause) -> {
                    if (cause.wasEvicted() && placement != null) {
                        placement.release();
                    }
                })
                .build();
    }

    @Override
    public AdmissionConfig config() {
        return config;
    }

    @Override
    public Promotions promotions() {
        return desk;
    }

    // ---------------------------------------------------------------- decisions

    @Override
    public Decision decide(JoinRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        EntityBareJid room = request.room();
        String key = request.identity().memberKey().orElseGet(() -> "anonymous-" + anonymousKeys.incrementAndGet());
        if (!config.enabled()) {
            return new Decision.Main(room, key, Reason.VISITORS_DISABLED, false);
        }
        if (isUncounted(request.kind(), request.identity().address())) {
            return new Decision.Main(room, key, Reason.IGNORED_MEMBER, false);
        }
        RoomFacts facts = request.roomFacts().orElseGet(() -> factsFor(room));
        Reason forcedMain = roomRule(facts);
        if (forcedMain == null && !request.supportsVisitors()) {
            forcedMain = Reason.NO_VISITOR_SUPPORT;
        }
        for (;;) {
            // A plain read first: computeIfAbsent may lock the map's bin even when the room exists.
            RoomState state = rooms.get(room);
            if (state == null) {
                state = rooms.computeIfAbsent(room, r -> new RoomState(r, slots.length, ticker.read()));
            }
            synchronized (state) {
                if (state.destroyed) {
                    continue; // destroyed between lookup and lock: use the fresh state
                }
                state.lastActivityNanos = ticker.read();
                return decideLocked(state, request, facts, key, forcedMain);
            }
        }
    }

    RoomFacts factsFor(EntityBareJid room) {
        RoomFacts facts = roomFacts.factsFor(room);
        return facts != null ? facts : RoomFacts.unknown();
    }

    /** Rule 1: rooms that never get visitors. */
    private Reason roomRule(RoomFacts facts) {
        if (facts.lobbyEnabled()) {
            return Reason.LOBBY;
        }
        if (facts.breakoutRoom()) {
            return Reason.BREAKOUT;
        }
        Optional<Boolean> flag = facts.visitorsEnabled();
        if (flag.isPresent() ? !flag.get() : config.requireMucConfigFlag()) {
            return Reason.ROOM_VISITORS_OFF;
        }
        return null;
    }

    private Decision decideLocked(RoomState state, JoinRequest request, RoomFacts facts, String key,
                                  Reason forcedMain) {
        // Most rooms never see a hand: they skip the ticket lookup entirely.
        PromotionDesk.TicketLookup ticket = state.promotions == null && request.promotionTicket().isEmpty()
                ? PromotionDesk.TicketLookup.NONE : desk.lookup(state, request, key);
        Decision placed = null;
        if (forcedMain != null) {
            placed = mainSeat(state, key, forcedMain);
        } else if (request.visitorRequested()) {
            placed = visitor(state, key, Reason.VISITOR_REQUESTED, facts);
        } else if (state.mainMembers.contains(key)) {
            placed = mainSeat(state, key, Reason.SEAT_HELD);
        } else if (refresh(seats, state, key) != null) { // a retried request: the seat is renewed, not taken again
            withdrawRedirect(state, key);
            placed = new Decision.Main(state.jid, key, Reason.SEAT_HELD, true);
        }
        if (placed != null) { // placed without the ticket, which stays valid
            return withTicket(placed, ticket.usable() != null ? TicketCheck.NOT_NEEDED : ticket.check());
        }
        if (ticket.usable() != null) {
            desk.redeem(state, ticket.usable());
            return withTicket(mainSeat(state, key, Reason.PROMOTED), TicketCheck.REDEEMED);
        }
        return withTicket(placeByRules(state, request, facts, key), ticket.check());
    }

    /** The ordinary rules, from demotion down to the room limit. */
    private Decision placeByRules(RoomState state, JoinRequest request, RoomFacts facts, String key) {
        if (state.promotions != null && desk.isDemoted(state, key)) {
            return visitor(state, key, Reason.DEMOTED, facts);
        }
        if (facts.allowsIntoMain(request.identity().userId(), request.identity().groupId())) {
            return mainSeat(state, key, Reason.ALLOWED_LIST);
        }
        if (config.stickyVisitors() && state.hasVisitors()) {
            return visitor(state, key, Reason.STICKY_VISITORS, facts);
        }
        int limit = facts.participantSoftLimit().orElse(config.maxParticipants());
        if (state.mainOccupancy() >= limit) {
            expireSeatsIfDue(state);
        }
        if (state.mainOccupancy() < limit) {
            return mainSeat(state, key, Reason.UNDER_LIMIT);
        }
        return visitor(state, key, Reason.ROOM_FULL, facts);
    }

    private static Decision withTicket(Decision decision, TicketCheck ticket) {
        if (ticket == TicketCheck.NONE) {
            return decision;
        }
        if (decision instanceof Decision.Main m) {
            return new Decision.Main(m.room(), m.memberKey(), m.reason(), m.seatReserved(), ticket);
        }
        if (decision instanceof Decision.Visitor v) {
            return new Decision.Visitor(v.room(), v.memberKey(), v.reason(), v.node(), ticket);
        }
        if (decision instanceof Decision.Queued q) {
            return new Decision.Queued(q.room(), q.memberKey(), q.reason(), ticket);
        }
        Decision.Refused r = (Decision.Refused) decision;
        return new Decision.Refused(r.room(), r.memberKey(), r.reason(), ticket);
    }

    // ---------------------------------------------------------------- what promotion needs (room lock held)

    /**
     * Runs {@code action} on the room's state under its lock; the room is created if {@code create},
     * otherwise an unknown room gives null without running anything.
     */
    <T> T inRoom(EntityBareJid room, boolean create, Function<RoomState, T> action) {
        for (;;) {
            RoomState state = create
                    ? rooms.computeIfAbsent(room, r -> new RoomState(r, slots.length, ticker.read()))
                    : rooms.get(room);
            if (state == null) {
                return null;
            }
            synchronized (state) {
                if (state.destroyed) {
                    if (create) {
                        continue;
                    }
                    return null;
                }
                state.lastActivityNanos = ticker.read();
                return action.apply(state);
            }
        }
    }

    boolean hasNode(String nodeId) {
        return slotsById.containsKey(nodeId);
    }

    /** Whether the member is in the main room or holds a seat there. */
    boolean isInMain(RoomState state, String key) {
        return state.mainMembers.contains(key) || seats.getIfPresent(new Placement.Key(state, key)) != null;
    }

    /** Frees a main member's place (joined or reserved); false if it has none. */
    boolean vacate(RoomState state, String key) {
        if (state.mainMembers.remove(key)) {
            return true;
        }
        Placement seat = seats.asMap().remove(new Placement.Key(state, key));
        if (seat != null) {
            seat.release();
            return true;
        }
        return false;
    }

    /**
     * A full room whose seats may have expired checks now rather than waiting for the next cache write;
     * at most once a second per room, so a flood of visitors to a full room costs nothing extra.
     */
    private void expireSeatsIfDue(RoomState state) {
        long now = ticker.read();
        if (state.reservedSeats.get() > 0 && now - state.nextSeatExpiryCheckNanos >= 0) {
            state.nextSeatExpiryCheckNanos = now + EXPIRY_CHECK_INTERVAL_NANOS;
            seats.cleanUp();
        }
    }

    /** A main-room answer that holds a seat until the join is reported (no-op if already counted). */
    private Decision mainSeat(RoomState state, String key, Reason reason) {
        withdrawRedirect(state, key);
        if (state.mainMembers.contains(key)) {
            return new Decision.Main(state.jid, key, reason, false);
        }
        if (refresh(seats, state, key) == null) {
            if (state.reservedSeats.getAndIncrement() == 0) {
                // No older seat in this room: none can expire before this one does.
                state.nextSeatExpiryCheckNanos = ticker.read() + latencyNanos;
            }
            seats.put(new Placement.Key(state, key), new Placement(state, null));
        }
        return new Decision.Main(state.jid, key, reason, true);
    }

    private Decision visitor(RoomState state, String key, Reason reason, RoomFacts facts) {
        if (config.enableLiveRoom() && !facts.live()) {
            return new Decision.Queued(state.jid, key, Reason.NOT_LIVE);
        }
        // A repeated request keeps its node while that node takes visitors.
        Placement pending = refresh(redirects, state, key);
        if (pending != null) {
            if (pending.slot().healthy()) {
                return new Decision.Visitor(state.jid, key, reason, pending.slot().node);
            }
            withdrawRedirect(state, key);
        }
        NodeSlot joined = state.visitors.get(key);
        if (joined != null && joined.healthy()) {
            return new Decision.Visitor(state.jid, key, reason, joined.node);
        }
        Balancer.Choice choice = balancer.place(state);
        if (choice == null) {
            return noNode(state, key);
        }
        NodeSlot slot = choice.slot();
        if (choice.overflow() && slot.snapshot().overflowed() == 1) {
            // Once per node: under overload every decision overflows, and a log line each would add to it.
            log.warn("Every healthy visitor node is at capacity; {} overflows onto {} (counted in overflow metrics)",
                    state.jid, slot.node.id());
        }
        state.pendingPerNode.incrementAndGet(slot.index);
        redirects.put(new Placement.Key(state, key), new Placement(state, slot));
        link(state, slot);
        return new Decision.Visitor(state.jid, key, reason, slot.node);
    }

    private Decision noNode(RoomState state, String key) {
        if (config.noNodeFallback() == NoNodeFallback.MAIN) {
            return mainSeat(state, key, Reason.NO_NODE);
        }
        return new Decision.Refused(state.jid, key, Reason.NO_NODE);
    }

    /** Renews a live placement's expiry and returns it, or null if there is none (or it just expired). */
    private static Placement refresh(Cache<Placement.Key, Placement> cache, RoomState state, String key) {
        return cache.asMap().computeIfPresent(new Placement.Key(state, key),
                (k, p) -> new Placement(p.room(), p.slot()));
    }

    private void withdrawRedirect(RoomState state, String key) {
        Placement pending = redirects.asMap().remove(new Placement.Key(state, key));
        if (pending != null) {
            pending.release();
            unlinkIfUnused(state, pending.slot(), NodeLinkEvent.Cause.REDIRECTS_EXPIRED);
        }
    }

    private boolean isUncounted(MemberKind kind, Optional<Jid> address) {
        if (kind.isService()) {
            return true;
        }
        if (address.isEmpty() || config.ignoredDomains().isEmpty()) {
            return false;
        }
        return config.ignoredDomains().contains(address.get().getDomain().toString().toLowerCase(Locale.ROOT));
    }

    // ---------------------------------------------------------------- node links

    private void link(RoomState state, NodeSlot slot) {
        if (!state.linked[slot.index]) {
            state.linked[slot.index] = true;
            emit(new NodeLinkEvent.Connect(state.jid, slot.node));
        }
    }

    private void unlinkIfUnused(RoomState state, NodeSlot slot, NodeLinkEvent.Cause cause) {
        if (state.linked[slot.index] && state.usage(slot.index) == 0) {
            state.linked[slot.index] = false;
            emit(new NodeLinkEvent.Disconnect(state.jid, slot.node, cause));
        }
    }

    private void emit(NodeLinkEvent event) {
        try {
            nodeLinkListener.onNodeLink(event);
        } catch (RuntimeException e) {
            log.error("Node link listener failed on {}; counts are unaffected", event, e);
        }
    }

    // ---------------------------------------------------------------- occupancy events

    @Override
    public EventResult report(OccupancyEvent event) {
        Objects.requireNonNull(event, "event must not be null");
        if (event instanceof OccupancyEvent.RoomDestroyed destroyed) {
            return destroy(destroyed.room());
        }
        NodeSlot slot = null;
        if (event instanceof OccupancyEvent.VisitorJoined e) {
            slot = slotsById.get(e.nodeId());
        } else if (event instanceof OccupancyEvent.VisitorLeft e) {
            slot = slotsById.get(e.nodeId());
        }
        if ((event instanceof OccupancyEvent.VisitorJoined || event instanceof OccupancyEvent.VisitorLeft)
                && slot == null) {
            return ignored(EventResult.IGNORED_UNKNOWN_NODE, event);
        }
        // A join is a fact even for a room the engine has not seen (or forgot while it was idle): count it.
        // A leave for an unknown room has nothing to subtract from.
        boolean join = event instanceof OccupancyEvent.MainJoined || event instanceof OccupancyEvent.VisitorJoined;
        EventResult result;
        for (;;) {
            RoomState state = join
                    ? rooms.computeIfAbsent(event.room(), r -> new RoomState(r, slots.length, ticker.read()))
                    : rooms.get(event.room());
            if (state == null) {
                return ignored(EventResult.IGNORED_UNKNOWN_ROOM, event);
            }
            synchronized (state) {
                if (state.destroyed) {
                    if (join) {
                        continue;
                    }
                    return ignored(EventResult.IGNORED_UNKNOWN_ROOM, event);
                }
                result = apply(state, slot, event);
            }
            break;
        }
        return result.applied() ? result : ignored(result, event);
    }

    /** Applies a join or leave with the room's lock held. */
    private EventResult apply(RoomState state, NodeSlot slot, OccupancyEvent event) {
        state.lastActivityNanos = ticker.read();
        if (event instanceof OccupancyEvent.MainJoined e) {
            return mainJoined(state, e);
        }
        if (event instanceof OccupancyEvent.MainLeft e) {
            return mainLeft(state, e.memberKey());
        }
        if (event instanceof OccupancyEvent.VisitorJoined e) {
            return visitorJoined(state, slot, e.memberKey());
        }
        return visitorLeft(state, slot, ((OccupancyEvent.VisitorLeft) event).memberKey());
    }

    private EventResult mainJoined(RoomState state, OccupancyEvent.MainJoined event) {
        String key = event.memberKey();
        if (isUncounted(event.kind(), event.address())) {
            return state.uncountedMembers.add(key) ? EventResult.APPLIED : EventResult.IGNORED_DUPLICATE;
        }
        if (state.mainMembers.contains(key)) {
            return EventResult.IGNORED_DUPLICATE;
        }
        // The seat (if any) becomes a member in one step under the lock: occupancy never dips.
        Placement seat = seats.asMap().remove(new Placement.Key(state, key));
        if (seat != null) {
            seat.release();
        }
        state.mainMembers.add(key);
        NodeSlot wasVisitorOn = state.visitors.remove(key);
        if (wasVisitorOn != null) {
            visitorGone(state, wasVisitorOn);
        }
        withdrawRedirect(state, key);
        return EventResult.APPLIED;
    }

    private static EventResult mainLeft(RoomState state, String key) {
        if (state.mainMembers.remove(key) || state.uncountedMembers.remove(key)) {
            return EventResult.APPLIED;
        }
        return EventResult.IGNORED_NOT_JOINED;
    }

    private EventResult visitorJoined(RoomState state, NodeSlot slot, String key) {
        NodeSlot current = state.visitors.get(key);
        if (current == slot) {
            return EventResult.IGNORED_DUPLICATE;
        }
        Placement pending = redirects.asMap().remove(new Placement.Key(state, key));
        if (pending != null && pending.slot() == slot) {
            state.pendingPerNode.decrementAndGet(slot.index); // pending becomes joined: node load unchanged
        } else {
            if (pending != null) {
                pending.release(); // went elsewhere than redirected
            }
            slot.forceAcquire(); // the visitor is there: a fact, counted even past capacity
        }
        slot.visitorJoined();
        state.joinedPerNode[slot.index]++;
        state.visitors.put(key, slot);
        if (current != null) {
            visitorGone(state, current);
        }
        state.mainMembers.remove(key); // demoted members leave the main count
        link(state, slot);
        if (pending != null && pending.slot() != slot) {
            unlinkIfUnused(state, pending.slot(), NodeLinkEvent.Cause.REDIRECTS_EXPIRED);
        }
        return EventResult.APPLIED;
    }

    private EventResult visitorLeft(RoomState state, NodeSlot slot, String key) {
        if (state.visitors.get(key) != slot) {
            return EventResult.IGNORED_NOT_JOINED;
        }
        state.visitors.remove(key);
        visitorGone(state, slot);
        if (state.promotions != null) {
            desk.visitorLeft(state, key);
        }
        return EventResult.APPLIED;
    }

    private void visitorGone(RoomState state, NodeSlot slot) {
        state.joinedPerNode[slot.index]--;
        slot.visitorLeft();
        unlinkIfUnused(state, slot, NodeLinkEvent.Cause.LAST_VISITOR_LEFT);
    }

    private EventResult destroy(EntityBareJid room) {
        RoomState state = rooms.remove(room);
        if (state == null) {
            return ignored(EventResult.IGNORED_UNKNOWN_ROOM, new OccupancyEvent.RoomDestroyed(room));
        }
        synchronized (state) {
            state.destroyed = true;
            for (NodeSlot slot : state.visitors.values()) {
                slot.visitorLeft();
            }
            state.visitors.clear();
            Arrays.fill(state.joinedPerNode, 0);
            dropPlacements(redirects, state);
            dropPlacements(seats, state);
            desk.roomDestroyed(state);
            for (NodeSlot slot : slots) {
                if (state.linked[slot.index]) {
                    state.linked[slot.index] = false;
                    emit(new NodeLinkEvent.Disconnect(state.jid, slot.node, NodeLinkEvent.Cause.ROOM_DESTROYED));
                }
            }
        }
        log.debug("Room {} destroyed", room);
        return EventResult.APPLIED;
    }

    /** Removes and gives back every live placement of a room; ones expiring meanwhile are given back by expiry. */
    private static void dropPlacements(Cache<Placement.Key, Placement> cache, RoomState state) {
        for (Map.Entry<Placement.Key, Placement> entry : cache.asMap().entrySet()) {
            if (entry.getKey().room() == state && cache.asMap().remove(entry.getKey(), entry.getValue())) {
                entry.getValue().release();
            }
        }
    }

    private static EventResult ignored(EventResult result, OccupancyEvent event) {
        log.warn("Ignored occupancy event ({}): {}", result, event);
        return result;
    }

    // ---------------------------------------------------------------- nodes, snapshots, maintenance

    @Override
    public void setNodeState(String nodeId, NodeState state) {
        Objects.requireNonNull(state, "state must not be null");
        NodeSlot slot = nodeId == null ? null : slotsById.get(nodeId);
        if (slot == null) {
            throw new IllegalArgumentException("unknown visitor node '" + nodeId + "'; configured: "
                    + slotsById.keySet());
        }
        slot.state(state);
        log.info("Visitor node {} is now {}", nodeId, state);
    }

    @Override
    public Optional<RoomOccupancy> occupancy(EntityBareJid room) {
        RoomState state = rooms.get(Objects.requireNonNull(room, "room must not be null"));
        if (state == null) {
            return Optional.empty();
        }
        synchronized (state) {
            return state.destroyed ? Optional.empty() : Optional.of(state.snapshot(slots));
        }
    }

    @Override
    public List<NodeLoad> nodeLoads() {
        List<NodeLoad> out = new ArrayList<>(slots.length);
        for (NodeSlot slot : slots) {
            out.add(slot.snapshot());
        }
        return out;
    }

    @Override
    public EngineTotals totals() {
        int roomCount = 0;
        int main = 0;
        int seatsHeld = 0;
        int visitorCount = 0;
        int pending = 0;
        for (RoomState state : rooms.values()) {
            synchronized (state) {
                if (state.destroyed) {
                    continue;
                }
                roomCount++;
                main += state.mainMembers.size();
                seatsHeld += state.reservedSeats.get();
                visitorCount += state.visitors.size();
                for (int i = 0; i < slots.length; i++) {
                    pending += state.pendingPerNode.get(i);
                }
            }
        }
        return new EngineTotals(roomCount, main, seatsHeld, visitorCount, pending);
    }

    @Override
    public void cleanUp() {
        seats.cleanUp();
        redirects.cleanUp();
        desk.cleanUp();
        long now = ticker.read();
        for (RoomState state : rooms.values()) {
            synchronized (state) {
                if (state.destroyed) {
                    continue;
                }
                for (NodeSlot slot : slots) {
                    unlinkIfUnused(state, slot, NodeLinkEvent.Cause.REDIRECTS_EXPIRED);
                }
                desk.sweep(state);
                if (state.isIdle() && now - state.lastActivityNanos >= latencyNanos) {
                    state.destroyed = true;
                    rooms.remove(state.jid, state);
                    log.debug("Forgot idle room {}", state.jid);
                }
            }
        }
    }
}

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
 * The engine. Locking: one monitor per room ({@link RoomState}), under which its held seats and
 * redirects are also expired ({@link HeldPlaces}); node loads are atomics taken with compare-and-set
 * ({@link NodeSlot}). There is no lock shared by all rooms.
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
    private final AtomicLong anonymousKeys = new AtomicLong();
    private final PromotionDesk desk;

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
        this.desk = new PromotionDesk(this, config.promotion(), ticker,
                Objects.requireNonNull(promotionListener, "promotionListener"));
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
                state = rooms.computeIfAbsent(room, r -> new RoomState(r, slots, ticker.read()));
            }
            synchronized (state) {
                if (state.destroyed) {
                    continue; // destroyed between lookup and lock: use the fresh state
                }
                enter(state);
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
            // One place per member: a seat it still holds is given back (every other way here has
            // already found it holds none).
            state.dropSeat(key);
            placed = visitor(state, key, Reason.VISITOR_REQUESTED, facts);
        } else if (state.mainMembers.contains(key)) {
            placed = mainSeat(state, key, Reason.SEAT_HELD);
        } else if (state.renewSeat(key, deadline(state))) { // a retry: the seat is renewed, not taken again
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
                    ? rooms.computeIfAbsent(room, r -> new RoomState(r, slots, ticker.read()))
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
                enter(state);
                return action.apply(state);
            }
        }
    }

    boolean hasNode(String nodeId) {
        return slotsById.containsKey(nodeId);
    }

    /**
     * First step under a room's lock for anything that reads or changes its counts: records the time of
     * this operation and gives back the places whose time is up.
     */
    private void enter(RoomState state) {
        long now = ticker.read();
        state.lastActivityNanos = now;
        state.expireHolds(now);
    }

    /** When a place held now expires; {@code lastActivityNanos} is the time {@link #enter} read. */
    private long deadline(RoomState state) {
        return state.lastActivityNanos + latencyNanos;
    }

    /** Whether the member is in the main room or holds a seat there. */
    boolean isInMain(RoomState state, String key) {
        return state.mainMembers.contains(key) || state.holdsSeat(key);
    }

    /** Frees a main member's place (joined or reserved); false if it has none. */
    boolean vacate(RoomState state, String key) {
        if (state.mainMembers.remove(key)) {
            return true;
        }
        return state.dropSeat(key);
    }

    /** A main-room answer that holds a seat until the join is reported (no-op if already counted). */
    private Decision mainSeat(RoomState state, String key, Reason reason) {
        withdrawRedirect(state, key);
        if (state.mainMembers.contains(key)) {
            return new Decision.Main(state.jid, key, reason, false);
        }
        state.holdSeat(key, deadline(state)); // a seat it holds is renewed
        return new Decision.Main(state.jid, key, reason, true);
    }

    private Decision visitor(RoomState state, String key, Reason reason, RoomFacts facts) {
        if (config.enableLiveRoom() && !facts.live()) {
            return new Decision.Queued(state.jid, key, Reason.NOT_LIVE);
        }
        // A repeated request keeps its node while that node takes visitors.
        NodeSlot pending = state.renewRedirect(key, deadline(state));
        if (pending != null) {
            if (pending.healthy()) {
                return new Decision.Visitor(state.jid, key, reason, pending.node);
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
        state.holdRedirect(key, slot, deadline(state));
        link(state, slot);
        return new Decision.Visitor(state.jid, key, reason, slot.node);
    }

    private Decision noNode(RoomState state, String key) {
        if (config.noNodeFallback() == NoNodeFallback.MAIN) {
            return mainSeat(state, key, Reason.NO_NODE);
        }
        return new Decision.Refused(state.jid, key, Reason.NO_NODE);
    }

    private void withdrawRedirect(RoomState state, String key) {
        NodeSlot pending = state.withdrawRedirect(key);
        if (pending != null) {
            unlinkIfUnused(state, pending, NodeLinkEvent.Cause.REDIRECTS_EXPIRED);
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
                    ? rooms.computeIfAbsent(event.room(), r -> new RoomState(r, slots, ticker.read()))
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
        enter(state);
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
        state.dropSeat(key);
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
        NodeSlot redirectedTo = state.takeRedirect(key);
        if (redirectedTo == slot) {
            state.pendingPerNode[slot.index]--; // pending becomes joined: node load unchanged
        } else {
            if (redirectedTo != null) { // went elsewhere than redirected
                state.pendingPerNode[redirectedTo.index]--;
                redirectedTo.release();
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
        if (redirectedTo != null && redirectedTo != slot) {
            unlinkIfUnused(state, redirectedTo, NodeLinkEvent.Cause.REDIRECTS_EXPIRED);
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
            state.dropHolds();
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
            if (state.destroyed) {
                return Optional.empty();
            }
            state.expireHolds(ticker.read());
            return Optional.of(state.snapshot(slots));
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
                state.expireHolds(ticker.read());
                roomCount++;
                main += state.mainMembers.size();
                seatsHeld += state.seatsHeld();
                visitorCount += state.visitors.size();
                pending += state.redirectsHeld();
            }
        }
        return new EngineTotals(roomCount, main, seatsHeld, visitorCount, pending);
    }

    @Override
    public void cleanUp() {
        desk.cleanUp();
        long now = ticker.read();
        for (RoomState state : rooms.values()) {
            synchronized (state) {
                if (state.destroyed) {
                    continue;
                }
                // Expiry during a decision leaves a node linked, since the decision may place on it again;
                // here the links nothing uses any more are dropped.
                state.expireHolds(now);
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

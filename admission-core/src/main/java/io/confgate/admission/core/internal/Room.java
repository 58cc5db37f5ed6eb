package io.confgate.admission.core.internal;

import io.confgate.admission.EventResult;
import io.confgate.admission.RoomOccupancy;
import io.confgate.admission.event.NodeLinkEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jxmpp.jid.EntityBareJid;

/**
 * One conference and its counts: main members, places held for members not joined yet, visitors per
 * node, and which nodes it is linked to. Every change goes through a method named for what happened, and
 * each method keeps all counts consistent, including the node loads it takes or gives back.
 *
 * <p>Not thread-safe by itself: every method is called with the room's monitor held ({@link Rooms} takes
 * it), so the limit check and the seat it reserves are one step. Node-link changes are queued in its
 * {@link RoomLinks} and sent by {@link Rooms} after the monitor is released. Identity equality is deliberate: a room destroyed
 * and created again is a new object, and tickets of the old one do not apply to it.
 */
final class Room {
    /** Bounds {@link #seatsTaken}: a room never has more seats than its limit, far below this. */
    private static final int MAX_SEATS_TAKEN = 10_000;
    private final EntityBareJid jid;
    private final NodeSlot[] nodes;
    private final long latencyNanos;
    /** How long a prepared link waits for a seat holder ({@code admission.link.seat-grace}). */
    private final long graceNanos;
    /** Whether the visitors component lets everyone into the main room after a connect. */
    private final boolean mainOpenWhileLinked;
    private final Set<String> mainMembers = new HashSet<>();
    private final Set<String> uncountedMembers = new HashSet<>();
    /**
     * Members whose seat a join without a member key took (the oldest seat goes to each such join), with when
     * their seat was first given (forgotten after the join latency). Such a join was somebody else's when the member asks again: it gets one of
     * the seats still held back ({@link #reclaimSeat}), since those are the ones of members not in yet.
     */
    private final Map<String, Long> seatsTaken = new HashMap<>();
    /** Main occupants as Prosody reports them, without member keys (event-sync). */
    private final ReportedOccupants reported = new ReportedOccupants();
    /** Places held by members who have not joined yet. */
    private final Holds held;
    private final JoinedVisitors visitors;
    private final RoomLinks links;
    private boolean destroyed;
    private long now;
    private long lastActivity;
    /** Promotion state; null until the room's first raised hand. */
    private RoomPromotions promotions;
    private final Budget hands;
    /** Seats given up when links were connected, since the last {@link #takeSeatsGivenUp}. */
    private int seatsGivenUp;
    /** Whether anything the store keeps changed since the last {@link #takeChanged}: reads leave it alone. */
    private boolean changed;

    Room(EntityBareJid jid, NodeSlot[] nodes, long latencyNanos, long graceNanos, boolean mainOpenWhileLinked, long now,
         Budget places, Budget hands) {
        this.jid = jid;
        this.nodes = nodes;
        this.latencyNanos = latencyNanos;
        this.graceNanos = graceNanos;
        this.mainOpenWhileLinked = mainOpenWhileLinked;
        this.visitors = new JoinedVisitors(nodes.length);
        this.held = new Holds(nodes.length, places);
        this.hands = hands;
        this.links = new RoomLinks(jid, nodes.length, mainOpenWhileLinked);
        this.now = now;
        this.lastActivity = now;
    }

    EntityBareJid jid() {
        return jid;
    }

    boolean isDestroyed() {
        return destroyed;
    }

    /**
     * First call of every operation: records the time and gives back the places whose time is up, so no
     * expired place is ever counted or renewed.
     */
    void enter(long nowNanos) {
        lastActivity = nowNanos;
        expireAt(nowNanos);
    }

    /** Gives back the places whose time is up, without counting as activity (a metrics read, say). */
    void expireAt(long nowNanos) {
        now = nowNanos;
        if (held.expire(nowNanos)) {
            changed = true;
        }
        if (!seatsTaken.isEmpty()) {
            seatsTaken.values().removeIf(since -> nowNanos - (since + latencyNanos) >= 0);
        }
    }

    // ---------------------------------------------------------------- what placement reads

    /** Main occupancy as the limit counts it: joined members plus seats held. */
    int mainOccupancy() {
        return mainMembers.size() + reported.count() + held.seats();
    }

    /**
     * A member asking again whose seat a join without a member key took: that join was somebody else's (the member
     * is asking, so it is not in), and one of the seats still held is that somebody's. The member takes over the
     * oldest of them, renewed, and nothing is counted twice. True if it did; false if the member's seat was not
     * taken, or every seat is gone (everyone else answered "main room" is in: the room is full).
     */
    boolean reclaimSeat(String key) {
        changed = true;
        Long since = seatsTaken.remove(key);
        if (since == null || now - (since + latencyNanos) >= 0 || held.seats() == 0 || mainMembers.contains(key)) {
            return false;
        }
        // The member's own seat was given at `since`; the one it takes over keeps that, so the grace stays bounded.
        held.dropOldestSeat();
        held.hold(key, new Hold.Seat(now + latencyNanos, since));
        return true;
    }

    /** Whether the member joined the main room or holds a seat there. */
    boolean isInMain(String key) {
        return mainMembers.contains(key) || held.of(key) instanceof Hold.Seat;
    }

    /**
     * Whether a decision for the member needs a new held place the server-wide bound no longer allows (a
     * member already joined or holding a place needs none).
     */
    boolean atCapacityFor(String key) {
        return !mainMembers.contains(key) && !held.mayHold(key);
    }

    /** Whether the conference has visitors, joined or redirected. */
    boolean hasVisitors() {
        return !visitors.isEmpty() || held.redirects() > 0;
    }

    /** This conference's visitors on a node, joined and pending. */
    int usage(NodeSlot node) {
        return visitors.on(node) + held.pending(node);
    }

    /** Whether the conference is linked to a node or has visitors there. */
    boolean uses(NodeSlot node) {
        return links.isLinked(node) || usage(node) > 0;
    }

    /**
     * Whether the main room is closed to ordinary joiners: a node is connected, or about to be, and the
     * visitors component then refuses every main-room join that was not promoted
     * ({@code mod_visitors_component.lua}, its {@code muc-occupant-pre-join} hook).
     */
    boolean mainClosed() {
        return !mainOpenWhileLinked && links.any();
    }

    /** Whether the node's link waits for seats and already has {@code max} visitors waiting for it. */
    boolean waitingFull(NodeSlot node, int max) {
        return links.isPending(node) && held.pending(node) >= max;
    }

    // ---------------------------------------------------------------- what placement does

    /**
     * Gives the member a main seat: held until the join latency has passed (renewed if it already holds
     * one), replacing a redirect it held. Returns false, changing nothing, for a member already joined.
     */
    boolean reserveSeat(String key) {
        withdrawRedirect(key);
        if (mainMembers.contains(key)) {
            return false;
        }
        changed = true;
        long since = held.of(key) instanceof Hold.Seat seat ? seat.since() : now;
        held.hold(key, new Hold.Seat(now + latencyNanos, since));
        return true;
    }

    /** Gives back a seat the member holds (it asked to watch instead). */
    void dropSeat(String key) {
        changed = true;
        if (held.of(key) instanceof Hold.Seat) {
            held.drop(key);
            connectWhenClear();
        }
    }

    /**
     * The node a repeated visitor request keeps: its pending redirect (renewed), else the node it joined,
     * while that node takes visitors. A redirect to a node that no longer does is withdrawn. Null if none.
     */
    NodeSlot keptNode(String key) {
        if (held.of(key) instanceof Hold.Redirect redirect) {
            if (redirect.node().healthy()) {
                held.hold(key, new Hold.Redirect(redirect.node(), now + latencyNanos));
                changed = true;
                return redirect.node();
            }
            withdrawRedirect(key);
        }
        NodeSlot joined = visitors.of(key);
        return joined != null && joined.healthy() ? joined : null;
    }

    /** Redirects the member to {@code node}, whose place the balancer has already taken; links the node. */
    void redirect(String key, NodeSlot node) {
        changed = true;
        held.hold(key, new Hold.Redirect(node, now + latencyNanos));
        if (!links.isLinked(node)) {
            links.link(node);
            connectWhenClear();
        }
    }

    /** Frees a main member's place, joined or held; false if it has none (a moderator demoted it). */
    boolean vacate(String key) {
        changed = true;
        if (mainMembers.remove(key)) {
            return true;
        }
        if (held.of(key) instanceof Hold.Seat) {
            held.drop(key);
            connectWhenClear();
            return true;
        }
        return false;
    }

    /**
     * Connects the prepared links once no member answered "main room" can still be on its way: no seat is
     * held, or every seat was first given longer than the grace ago (asking again does not extend it). The seats left then are given up: a connect closes the main
     * room to their holders anyway, and a holder asking again is placed anew (not {@code SEAT_HELD} into a room
     * that would refuse it). Called when a link is prepared, when a seat goes, and by the periodic sweep.
     */
    void connectWhenClear() {
        if (!links.anyPending()) {
            return;
        }
        long newest = held.newestSeatSince();
        if (newest != Long.MIN_VALUE && now - (newest + graceNanos) < 0) {
            return; // a seat holder may still come: its seat was given less than the grace ago
        }
        seatsGivenUp += held.dropSeats();
        changed = true;
        links.connectPending(nodes);
    }

    /** Seats given up by {@link #connectWhenClear} since the last call. */
    int takeSeatsGivenUp() {
        int n = seatsGivenUp;
        seatsGivenUp = 0;
        return n;
    }

    // ---------------------------------------------------------------- what the focus reports

    /** A counted member joined the main room: its seat, redirect or visitor place becomes a main member. */
    EventResult mainJoined(String key) {
        changed = true;
        if (mainMembers.contains(key)) {
            return EventResult.IGNORED_DUPLICATE;
        }
        // The seat becomes a member in one step under the monitor: occupancy never dips.
        if (held.of(key) instanceof Hold.Seat) {
            held.drop(key);
        }
        mainMembers.add(key);
        connectWhenClear();
        NodeSlot wasVisitorOn = visitors.leave(key);
        if (wasVisitorOn != null) {
            unlinkIfUnused(wasVisitorOn, NodeLinkEvent.Cause.LAST_VISITOR_LEFT);
        }
        withdrawRedirect(key);
        return EventResult.APPLIED;
    }

    /** A recorder, transcriber or ignored member joined: tracked, never counted. */
    EventResult uncountedJoined(String key) {
        changed = true;
        return uncountedMembers.add(key) ? EventResult.APPLIED : EventResult.IGNORED_DUPLICATE;
    }

    EventResult mainLeft(String key) {
        changed = true;
        return mainMembers.remove(key) || uncountedMembers.remove(key) ? EventResult.APPLIED
                : EventResult.IGNORED_NOT_JOINED;
    }

    /**
     * A visitor joined on {@code node}: its redirect there becomes a joined visitor (node load unchanged);
     * a visitor that went elsewhere gives its redirect back and takes a place where it is, even past
     * capacity, since it is there.
     */
    EventResult visitorJoined(NodeSlot node, String key) {
        changed = true;
        if (visitors.of(key) == node) {
            return EventResult.IGNORED_DUPLICATE;
        }
        NodeSlot redirectedTo = held.of(key) instanceof Hold.Redirect r ? r.node() : null;
        if (redirectedTo == node) {
            held.confirm(key); // pending becomes joined: the node's load is unchanged
        } else {
            if (redirectedTo != null) {
                held.drop(key); // went elsewhere than redirected
            }
            node.forceAcquire(); // the visitor is there: a fact, counted even past capacity
        }
        arrived(node, key);
        if (redirectedTo != null && redirectedTo != node) {
            unlinkIfUnused(redirectedTo, NodeLinkEvent.Cause.REDIRECTS_EXPIRED);
        }
        return EventResult.APPLIED;
    }

    /** A visitor reported by its node without a member key: it takes the oldest redirect there. */
    EventResult occupantJoinedNode(NodeSlot node, String jid) {
        changed = true;
        if (visitors.of(jid) == node) {
            return EventResult.IGNORED_DUPLICATE;
        }
        if (!held.confirmOldestRedirect(node)) {
            node.forceAcquire();
        }
        arrived(node, jid);
        return EventResult.APPLIED;
    }

    private void arrived(NodeSlot node, String key) {
        NodeSlot previous = visitors.join(key, node);
        if (previous != null) {
            unlinkIfUnused(previous, NodeLinkEvent.Cause.LAST_VISITOR_LEFT);
        }
        mainMembers.remove(key); // a demoted member leaves the main count
        if (!links.isLinked(node)) {
            links.link(node);
            connectWhenClear();
        }
    }

    /** The conference's room on {@code node} is gone: every visitor counted there has left. */
    EventResult nodeRoomDestroyed(NodeSlot node) {
        changed = true;
        if (visitors.leaveAll(node) == 0) {
            return EventResult.IGNORED_NOT_JOINED;
        }
        unlinkIfUnused(node, NodeLinkEvent.Cause.LAST_VISITOR_LEFT);
        return EventResult.APPLIED;
    }

    /** A main occupant reported without a member key: it takes the oldest seat (unless uncounted). */
    EventResult occupantJoinedMain(String jid, boolean uncounted, java.util.OptionalInt activeOccupants) {
        changed = true;
        if (!reported.joined(jid, uncounted, activeOccupants)) {
            return EventResult.IGNORED_DUPLICATE;
        }
        if (!uncounted) {
            Hold.Seat oldest = held.oldestSeat();
            String taken = held.dropOldestSeat();
            if (taken != null && seatsTaken.size() < MAX_SEATS_TAKEN) {
                seatsTaken.put(taken, oldest.since());
            }
            connectWhenClear();
        }
        return EventResult.APPLIED;
    }

    EventResult occupantLeftMain(String jid, java.util.OptionalInt activeOccupants) {
        changed = true;
        reported.left(jid, activeOccupants);
        return EventResult.APPLIED;
    }

    EventResult visitorLeft(NodeSlot node, String key) {
        changed = true;
        if (visitors.of(key) != node) {
            return EventResult.IGNORED_NOT_JOINED;
        }
        visitors.leave(key);
        unlinkIfUnused(node, NodeLinkEvent.Cause.LAST_VISITOR_LEFT);
        return EventResult.APPLIED;
    }

    /** The conference ended: every count and node place is given back, every link dropped. */
    void destroy() {
        changed = true;
        destroyed = true;
        seatsTaken.clear();
        visitors.clear();
        held.clear();
        for (NodeSlot node : nodes) {
            links.unlink(node, NodeLinkEvent.Cause.ROOM_DESTROYED);
        }
    }

    // ---------------------------------------------------------------- maintenance

    /**
     * Drops the links nothing uses any more. Expiry during a decision leaves a node linked, since the
     * decision may place on it again; the periodic clean-up calls this.
     */
    void unlinkUnused() {
        for (NodeSlot node : nodes) {
            unlinkIfUnused(node, NodeLinkEvent.Cause.REDIRECTS_EXPIRED);
        }
    }

    /**
     * Whether the room can be forgotten: nothing counted, held or linked, no live promotion state, and
     * unused for the join latency.
     */
    boolean isIdleAt(long nowNanos) {
        if (!mainMembers.isEmpty() || !uncountedMembers.isEmpty() || !held.isEmpty() || !visitors.isEmpty()
                || links.any() || !reported.isEmpty()) {
            return false;
        }
        // Live hands, tickets and demotions keep the room: forgetting it would void them.
        return (promotions == null || promotions.isEmpty()) && nowNanos - lastActivity >= latencyNanos;
    }

    /** Marks a room forgotten by the clean-up: a request racing it finds it destroyed and starts anew. */
    void forget() {
        destroyed = true;
    }

    /** The nodes this conference is linked to, and the link changes to send. */
    RoomLinks links() {
        return links;
    }

    RoomOccupancy snapshot() {
        Map<String, Integer> joined = new HashMap<>();
        Map<String, Integer> pending = new HashMap<>();
        for (NodeSlot node : nodes) {
            if (visitors.on(node) > 0) {
                joined.put(node.node.id(), visitors.on(node));
            }
            if (held.pending(node) > 0) {
                pending.put(node.node.id(), held.pending(node));
            }
        }
        return new RoomOccupancy(jid, mainMembers.size() + reported.count(), held.seats(),
                uncountedMembers.size() + reported.uncounted(), joined, pending);
    }

    // ---------------------------------------------------------------- promotion state

    /** The room's promotion state, created on first use. */
    RoomPromotions promotions() {
        if (promotions == null) {
            promotions = new RoomPromotions(hands);
        }
        return promotions;
    }

    /** The room's promotion state, or null if it never had any (most rooms). */
    RoomPromotions promotionsIfAny() {
        return promotions;
    }

    /** Drops the promotion state once nothing is left in it. */
    void dropPromotions() {
        changed |= promotions != null && !promotions.isEmpty();
        if (promotions != null) {
            promotions.release();
        }
        promotions = null;
    }

    /** The member's place, for tests: a seat, a redirect, or null. */
    Hold holdOf(String key) {
        return held.of(key);
    }

    private void withdrawRedirect(String key) {
        if (held.of(key) instanceof Hold.Redirect r) {
            changed = true;
            held.drop(key);
            unlinkIfUnused(r.node(), NodeLinkEvent.Cause.REDIRECTS_EXPIRED);
        }
    }

    // ---------------------------------------------------------------- what survives a restart (StoreCodec)

    /** Whether the stored form changed since the last call (promotion state included); clears the mark. */
    boolean takeChanged() {
        boolean was = promotions != null && promotions.takeChanged(); // taken first: both marks are cleared
        was |= changed;
        changed = false;
        return was;
    }

    Collection<String> mainMemberKeys() {
        return Collections.unmodifiableSet(mainMembers);
    }

    Collection<String> uncountedMemberKeys() {
        return Collections.unmodifiableSet(uncountedMembers);
    }

    Holds holds() {
        return held;
    }

    JoinedVisitors visitors() {
        return visitors;
    }

    ReportedOccupants reported() {
        return reported;
    }

    long latencyNanos() {
        return latencyNanos;
    }

    /** The nodes this conference is linked to (prepared or connected). */
    List<NodeSlot> linkedNodes() {
        List<NodeSlot> linked = new ArrayList<>();
        for (NodeSlot node : nodes) {
            if (links.isLinked(node)) {
                linked.add(node);
            }
        }
        return linked;
    }

    /** The members a store kept as joined. */
    void restoreMembers(Collection<String> main, Collection<String> uncounted) {
        mainMembers.addAll(main);
        uncountedMembers.addAll(uncounted);
    }

    private void unlinkIfUnused(NodeSlot node, NodeLinkEvent.Cause cause) {
        if (usage(node) == 0) {
            links.unlink(node, cause);
        }
    }
}

package io.confgate.admission.core.internal;

import io.confgate.admission.AdmissionConfig;
import io.confgate.admission.Decision;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.MemberKind;
import io.confgate.admission.NoNodeFallback;
import io.confgate.admission.Reason;
import io.confgate.admission.RoomFacts;
import io.confgate.admission.TicketCheck;
import java.util.Locale;
import java.util.Optional;
import org.jxmpp.jid.Jid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The placement rules, in the order README.md lists them. {@link #place} reads top to bottom as that
 * list; each rule answers with its {@link Reason}. The rules that need no room state come first and take
 * no lock; the rest run under the room's lock, so "below the limit" and the seat it reserves are one step.
 */
final class Placement {
    private static final Logger log = LoggerFactory.getLogger(Placement.class);

    private final AdmissionConfig config;
    private final Rooms rooms;
    private final Balancer balancer;
    private final PromotionDesk desk;
    private volatile boolean visitorsAvailable = true;

    Placement(AdmissionConfig config, Rooms rooms, Balancer balancer, PromotionDesk desk) {
        this.config = config;
        this.rooms = rooms;
        this.balancer = balancer;
        this.desk = desk;
    }

    Decision place(JoinRequest request, String key) {
        // 1. Members and rooms that never get visitors.
        if (!config.enabled()) {
            return new Decision.Main(request.room(), key, Reason.VISITORS_DISABLED, false);
        }
        if (isIgnored(request.kind(), request.identity().address())) {
            return new Decision.Main(request.room(), key, Reason.IGNORED_MEMBER, false);
        }
        RoomFacts facts = request.roomFacts().orElseGet(() -> rooms.factsFor(request.room()));
        Optional<Reason> alwaysMain = roomWithoutVisitors(facts)
                // 2. A client that cannot be a visitor.
                .or(() -> request.supportsVisitors() ? Optional.empty() : Optional.of(Reason.NO_VISITOR_SUPPORT));
        if (!visitorsAvailable) {
            return rooms.inRoom(request.room(), true, room -> withoutVisitors(room, facts, key, alwaysMain));
        }
        Decision decision = rooms.inRoom(request.room(), true, room -> {
            Tickets.Lookup ticket = desk.ticketFor(room, request, key);
            Decision placed = placeIn(room, request, facts, key, alwaysMain, ticket);
            return withTicket(placed, placed.reason() == Reason.PROMOTED ? TicketCheck.REDEEMED
                    : ticket.usable() != null ? TicketCheck.NOT_NEEDED : ticket.check());
        });
        // No room for one more conference (admission.limits.max-rooms): nothing was created.
        return decision != null ? decision : new Decision.Refused(request.room(), key, Reason.CAPACITY);
    }

    /**
     * Rule 1's second case: the visitors component is not known or not reachable (just after a start, or while
     * the main connection is down), so nobody can be redirected. The main room still fills by its limit, seats
     * held as usual; a client past it is answered {@code ready: false} (QUEUED) and asks again, by which time
     * the component is usually back. Jicofo sends everyone to the main room then, past any limit (README,
     * parity table). A room or client that never gets visitors is placed as it always is.
     */
    private Decision withoutVisitors(Room room, RoomFacts facts, String key, Optional<Reason> alwaysMain) {
        if (alwaysMain.isPresent()) {
            return seat(room, key, alwaysMain.get());
        }
        if (room.isInMain(key) || room.reclaimSeat(key)) {
            return seat(room, key, Reason.SEAT_HELD);
        }
        if (room.mainOccupancy() < facts.participantSoftLimit().orElse(config.maxParticipants())) {
            return seat(room, key, Reason.VISITORS_UNAVAILABLE);
        }
        return new Decision.Queued(room.jid(), key, Reason.VISITORS_UNAVAILABLE);
    }

    /** Sets whether the visitors component is reachable; returns the previous value. */
    boolean visitorsAvailable(boolean available) {
        boolean previous = visitorsAvailable;
        visitorsAvailable = available;
        return previous;
    }

    boolean visitorsAvailable() {
        return visitorsAvailable;
    }

    /** Rules 1 (the room's part) to 9, under the room's lock. */
    private Decision placeIn(Room room, JoinRequest request, RoomFacts facts, String key, Optional<Reason> alwaysMain,
                             Tickets.Lookup ticket) {
        Optional<String> user = request.identity().userId();
        Optional<String> group = request.identity().groupId();
        // 1-2. Lobby, breakout room, visitors off for the room, or a client without visitor support.
        if (alwaysMain.isPresent()) {
            return seat(room, key, alwaysMain.get());
        }
        // 3. The client asked to be a visitor (a seat it still holds is given back: one place per member).
        if (request.visitorRequested()) {
            room.dropSeat(key);
            return visitor(room, key, Reason.VISITOR_REQUESTED, facts, true);
        }
        // 4. A retried request of a member in the main room or holding a seat: not counted twice.
        if (room.isInMain(key) || room.reclaimSeat(key)) {
            return seat(room, key, Reason.SEAT_HELD);
        }
        // 5. An approval (a ticket, or one this identity holds) beats the limit; a demotion sends away.
        if (ticket.usable() != null) {
            desk.redeem(room, ticket.usable());
            return seat(room, key, Reason.PROMOTED);
        }
        if (desk.isDemoted(room, key)) {
            return visitor(room, key, Reason.DEMOTED, facts, false);
        }
        // 6. On the room's moderator or participant list: never redirected.
        if (facts.isListed(user, group)) {
            return seat(room, key, Reason.ALLOWED_LIST);
        }
        // 7. The room has a participant list without this client: a visitor even below the limit.
        if (!facts.isAllowedInMain(user, group)) {
            return visitor(room, key, Reason.NOT_ALLOWED, facts, true);
        }
        // 8. Once a conference has visitors, later joiners are visitors too; and once a node is connected (or
        //    about to be), the visitors component lets nobody into the main room without a promotion.
        if (config.stickyVisitors() && room.hasVisitors()) {
            return visitor(room, key, Reason.STICKY_VISITORS, facts, false);
        }
        if (room.mainClosed()) {
            return visitor(room, key, Reason.NODE_CONNECTED, facts, false);
        }
        // 9. The limit: a seat below it, a node at it.
        if (room.mainOccupancy() < facts.participantSoftLimit().orElse(config.maxParticipants())) {
            return seat(room, key, Reason.UNDER_LIMIT);
        }
        return visitor(room, key, Reason.ROOM_FULL, facts, false);
    }

    /** Rule 1's room part: a room that never gets visitors says why. */
    private Optional<Reason> roomWithoutVisitors(RoomFacts facts) {
        if (facts.lobbyEnabled()) {
            return Optional.of(Reason.LOBBY);
        }
        if (facts.breakoutRoom()) {
            return Optional.of(Reason.BREAKOUT);
        }
        Optional<Boolean> flag = facts.visitorsEnabled();
        if (flag.isPresent() ? !flag.get() : config.requireMucConfigFlag()) {
            return Optional.of(Reason.ROOM_VISITORS_OFF);
        }
        return Optional.empty();
    }

    /** Recorders, transcribers, SIP gateways and members of ignored domains: main room, never counted. */
    boolean isIgnored(MemberKind kind, Optional<Jid> address) {
        return kind.isService() || address
                .map(a -> config.ignoredDomains().contains(a.getDomain().toString().toLowerCase(Locale.ROOT)))
                .orElse(false);
    }

    private static Decision seat(Room room, String key, Reason reason) {
        if (room.atCapacityFor(key)) {
            return new Decision.Refused(room.jid(), key, Reason.CAPACITY); // admission.limits.max-held-places
        }
        return new Decision.Main(room.jid(), key, reason, room.reserveSeat(key));
    }

    /**
     * A visitor answer: the node a repeated request already has, else the balancer's choice; with no
     * healthy node, the configured fallback. With {@code enable-live-room}, a client that asked to be a
     * visitor or may not join the main room waits while the room is not live (QUEUED, answered
     * {@code ready: false, live: false}); the others are redirected as usual (Jicofo's
     * {@code ConferenceIqHandler} queues exactly those two).
     */
    private Decision visitor(Room room, String key, Reason reason, RoomFacts facts, boolean waitsForLive) {
        if (waitsForLive && config.enableLiveRoom() && !facts.live()) {
            return new Decision.Queued(room.jid(), key, Reason.NOT_LIVE);
        }
        NodeSlot kept = room.keptNode(key);
        if (kept != null) {
            return new Decision.Visitor(room.jid(), key, reason, kept.node);
        }
        if (room.atCapacityFor(key)) {
            return new Decision.Refused(room.jid(), key, Reason.CAPACITY); // before a node place is taken
        }
        Balancer.Choice choice = balancer.place(room);
        if (choice == null) {
            return config.noNodeFallback() == NoNodeFallback.MAIN ? seat(room, key, Reason.NO_NODE)
                    : new Decision.Refused(room.jid(), key, Reason.NO_NODE);
        }
        if (choice == Balancer.WAIT) {
            // Every node's pre-join queue for this conference is at its bound (past it Prosody drops joins
            // without a word): ask again once a link is made.
            return new Decision.Queued(room.jid(), key, Reason.LINK_PENDING);
        }
        if (choice.overflow() && choice.slot().snapshot().overflowed() == 1) {
            // Once per node: under overload every decision overflows, and a log line each would add to it.
            log.warn("Every healthy visitor node is at capacity; {} overflows onto {} (counted in overflow metrics)",
                    room.jid(), choice.slot().node.id());
        }
        room.redirect(key, choice.slot());
        return new Decision.Visitor(room.jid(), key, reason, choice.slot().node);
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
}

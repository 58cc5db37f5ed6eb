package io.confgate.admission.core.internal;

import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.HandState;
import io.confgate.admission.promotion.PromotionReason;
import io.confgate.admission.promotion.PromotionTicket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One room's promotion state, guarded by the room's lock. Allocated on the room's first raised hand, so
 * rooms that never see one cost nothing.
 */
final class RoomPromotions {
    /** Pending hands by request id, oldest first (they all wait the same lifetime: expiry reads the head). */
    private final LinkedHashMap<String, PendingHand> pending = new LinkedHashMap<>();
    /** Member key → request id of its pending hand: one pending hand per visitor. */
    private final Map<String, String> pendingByMember = new HashMap<>();
    /** Decided hands kept for status polls, oldest first, until {@code forgetAtNanos}. */
    private final LinkedHashMap<String, DecidedHand> decided = new LinkedHashMap<>();
    /** Member key → its live approval in this room (the newest). Maintained by {@link Tickets}. */
    final Map<String, TicketEntry> ticketsByMember = new HashMap<>();
    /** Member key → until when it stays a visitor after a demotion. */
    private final Map<String, Long> demotedUntil = new HashMap<>();
    /** Every room's hands together, against {@code admission.promotion.max-hands}. */
    private final Budget hands;

    RoomPromotions(Budget hands) {
        this.hands = hands;
    }

    /** A hand waiting for a moderator, and whoever waits for its decision. */
    static final class PendingHand {
        final Hand hand;
        final long raisedAtNanos;
        final List<CompletableFuture<Hand>> waiters = new ArrayList<>(1);

        PendingHand(Hand hand, long raisedAtNanos) {
            this.hand = hand;
            this.raisedAtNanos = raisedAtNanos;
        }
    }

    private record DecidedHand(Hand hand, long forgetAtNanos) {
    }

    boolean isEmpty() {
        return pending.isEmpty() && decided.isEmpty() && ticketsByMember.isEmpty() && demotedUntil.isEmpty();
    }

    int pendingCount() {
        return pending.size();
    }

    // ---------------------------------------------------------------- hands

    void addPending(Hand hand, long now) {
        pending.put(hand.requestId(), new PendingHand(hand, now));
        pendingByMember.put(hand.memberKey(), hand.requestId());
        hands.take(1);
    }

    PendingHand pending(String requestId) {
        return pending.get(requestId);
    }

    /** The member's pending hand, or null. */
    PendingHand pendingOf(String memberKey) {
        String id = pendingByMember.get(memberKey);
        return id == null ? null : pending.get(id);
    }

    /** Pending hands, oldest first (a copy). */
    List<Hand> pendingHands() {
        List<Hand> hands = new ArrayList<>(pending.size());
        for (PendingHand p : pending.values()) {
            hands.add(p.hand);
        }
        return hands;
    }

    /** A hand pending or still remembered, or null. */
    Hand find(String requestId) {
        PendingHand p = pending.get(requestId);
        if (p != null) {
            return p.hand;
        }
        DecidedHand d = decided.get(requestId);
        return d == null ? null : d.hand();
    }

    /** Moves a pending hand to its decided form; its waiters go to {@code done}. */
    Hand decide(String requestId, Hand decidedHand, long forgetAtNanos, int maxDecided, Completions done) {
        PendingHand p = pending.remove(requestId);
        pendingByMember.remove(p.hand.memberKey(), requestId);
        hands.give(1);
        remember(decidedHand, forgetAtNanos, maxDecided);
        done.add(p.waiters, decidedHand);
        return decidedHand;
    }

    /** Remembers a decided hand for status polls, forgetting the oldest past {@code maxDecided}. */
    void remember(Hand hand, long forgetAtNanos, int maxDecided) {
        decided.put(hand.requestId(), new DecidedHand(hand, forgetAtNanos));
        hands.take(1);
        if (decided.size() > maxDecided) {
            Iterator<String> eldest = decided.keySet().iterator();
            eldest.next();
            eldest.remove();
            hands.give(1);
        }
    }

    /** Ids of pending hands raised at least {@code lifetimeNanos} ago, oldest first. */
    List<String> overdue(long now, long lifetimeNanos) {
        List<String> out = List.of();
        for (Map.Entry<String, PendingHand> e : pending.entrySet()) {
            if (now - e.getValue().raisedAtNanos < lifetimeNanos) {
                break;
            }
            if (out.isEmpty()) {
                out = new ArrayList<>();
            }
            out.add(e.getKey());
        }
        return out;
    }

    /** Forgets decided hands whose time is up. */
    void forgetDecided(long now) {
        Iterator<DecidedHand> oldest = decided.values().iterator();
        while (oldest.hasNext() && now - oldest.next().forgetAtNanos() >= 0) {
            oldest.remove();
            hands.give(1);
        }
    }

    /** Ids of the tickets of remembered decisions. */
    List<String> decidedTickets() {
        List<String> ids = new ArrayList<>();
        for (DecidedHand d : decided.values()) {
            d.hand().ticket().map(PromotionTicket::id).ifPresent(ids::add);
        }
        return ids;
    }

    // ---------------------------------------------------------------- what survives a restart

    RoomRecord.PromotionsRecord toRecord(WallClock clock) {
        List<RoomRecord.HandRecord> pendingRecords = new ArrayList<>(pending.size());
        pending.values().forEach(p -> pendingRecords.add(record(p.hand, clock.toMillis(p.raisedAtNanos))));
        List<RoomRecord.HandRecord> decidedRecords = new ArrayList<>(decided.size());
        decided.values().forEach(d -> decidedRecords.add(record(d.hand(), clock.toMillis(d.forgetAtNanos()))));
        List<RoomRecord.TicketRecord> tickets = new ArrayList<>(ticketsByMember.size());
        ticketsByMember.values().forEach(t -> tickets.add(new RoomRecord.TicketRecord(t.id, t.memberKey,
                t.userId.orElse(null), clock.toMillis(t.expiresAtNanos), t.used)));
        Map<String, Long> demotions = new HashMap<>();
        demotedUntil.forEach((key, until) -> demotions.put(key, clock.toMillis(until)));
        return new RoomRecord.PromotionsRecord(pendingRecords, decidedRecords, tickets, demotions);
    }

    /**
     * Rebuilds what a store kept, for {@code room}; returns every ticket it knows (the live approvals, and
     * as used those of approved hands no longer live), for the ticket index. Expired entries are dropped.
     */
    List<TicketEntry> restore(RoomRecord.PromotionsRecord record, Room room, WallClock clock, long pendingNanos) {
        List<TicketEntry> known = new ArrayList<>();
        for (RoomRecord.TicketRecord t : record.tickets()) {
            TicketEntry entry = new TicketEntry(t.id(), room, t.memberKey(), Optional.ofNullable(t.userId()),
                    clock.toNanos(t.expiresMillis()));
            entry.used = t.used();
            if (entry.liveAt(clock.nanos())) {
                ticketsByMember.put(t.memberKey(), entry);
            }
            known.add(entry);
        }
        for (RoomRecord.HandRecord h : record.pending()) {
            long raised = clock.toNanos(h.atMillis());
            if (clock.nanos() - raised < pendingNanos) {
                addPending(hand(h, room), raised);
            }
        }
        for (RoomRecord.HandRecord h : record.decided()) {
            long forgetAt = clock.toNanos(h.atMillis());
            if (forgetAt - clock.nanos() > 0) {
                Hand hand = hand(h, room);
                decided.put(hand.requestId(), new DecidedHand(hand, forgetAt));
                hands.take(1);
                if (h.ticketId() != null && known.stream().noneMatch(t -> t.id.equals(h.ticketId()))) {
                    TicketEntry used = new TicketEntry(h.ticketId(), room, h.memberKey(),
                            Optional.ofNullable(h.userId()), forgetAt);
                    used.used = true; // approved, then redeemed or replaced: a second use is ALREADY_USED
                    known.add(used);
                }
            }
        }
        record.demotedUntil().forEach((key, until) -> {
            if (until > clock.millis()) {
                demotedUntil.put(key, clock.toNanos(until));
            }
        });
        return known;
    }

    /** The room's promotion state is dropped: its hands no longer count against the bound. */
    void release() {
        hands.give(pending.size() + decided.size());
    }

    private static RoomRecord.HandRecord record(Hand h, long atMillis) {
        return new RoomRecord.HandRecord(h.requestId(), h.memberKey(), h.userId().orElse(null),
                h.groupId().orElse(null), h.displayName().orElse(null), h.nodeId().orElse(null), h.state().name(),
                h.reason().name(), h.ticket().map(PromotionTicket::id).orElse(null),
                h.ticket().map(t -> t.validFor().toMillis()).orElse(0L), atMillis);
    }

    private static Hand hand(RoomRecord.HandRecord h, Room room) {
        Optional<PromotionTicket> ticket = Optional.ofNullable(h.ticketId()).map(id -> new PromotionTicket(id,
                room.jid(), h.memberKey(), java.time.Duration.ofMillis(h.ticketValidMillis())));
        return new Hand(h.requestId(), room.jid(), h.memberKey(), Optional.ofNullable(h.userId()),
                Optional.ofNullable(h.groupId()), Optional.ofNullable(h.displayName()), Optional.ofNullable(h.nodeId()),
                HandState.valueOf(h.state()), PromotionReason.valueOf(h.reason()), ticket);
    }

    // ---------------------------------------------------------------- demotions

    void demote(String memberKey, long untilNanos) {
        demotedUntil.put(memberKey, untilNanos);
    }

    void liftDemotion(String memberKey) {
        demotedUntil.remove(memberKey);
    }

    /** Whether the member still goes to a node after a demotion; an expired demotion is dropped. */
    boolean isDemoted(String memberKey, long now) {
        Long until = demotedUntil.get(memberKey);
        if (until == null) {
            return false;
        }
        if (now - until >= 0) {
            demotedUntil.remove(memberKey);
            return false;
        }
        return true;
    }

    /** Drops dead approvals and expired demotions. */
    void sweep(long now) {
        ticketsByMember.values().removeIf(t -> !t.liveAt(now));
        demotedUntil.values().removeIf(until -> now - until >= 0);
    }

    /** Every pending hand's id, for a room that ends. */
    List<String> pendingIds() {
        return List.copyOf(pending.keySet());
    }

}

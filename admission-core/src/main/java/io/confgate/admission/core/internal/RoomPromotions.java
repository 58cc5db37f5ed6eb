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
    /** Member key → its live approval in this room (the newest). Changed by {@link Tickets} only. */
    private final Map<String, TicketEntry> ticketsByMember = new HashMap<>();
    /** Member key → until when it stays a visitor after a demotion. */
    private final Map<String, Long> demotedUntil = new HashMap<>();
    /** Every room's hands together, against {@code admission.promotion.max-hands}. */
    private final Budget hands;
    /** Whether anything the store keeps changed since the last {@link #takeChanged}. */
    private boolean changed;

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
        changed = true;
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
        changed = true;
        PendingHand p = pending.remove(requestId);
        pendingByMember.remove(p.hand.memberKey(), requestId);
        hands.give(1);
        remember(decidedHand, forgetAtNanos, maxDecided);
        done.add(p.waiters, decidedHand);
        return decidedHand;
    }

    /** Remembers a decided hand for status polls, forgetting the oldest past {@code maxDecided}. */
    void remember(Hand hand, long forgetAtNanos, int maxDecided) {
        changed = true;
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
            changed = true;
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

    // ---------------------------------------------------------------- tickets (Tickets changes them)

    /** The member's live approval in this room, or null. */
    TicketEntry ticketOf(String memberKey) {
        return ticketsByMember.get(memberKey);
    }

    /** Makes {@code entry} its member's live approval here; gives back the one it replaces, or null. */
    TicketEntry putTicket(TicketEntry entry) {
        changed = true;
        return ticketsByMember.put(entry.memberKey, entry);
    }

    /** Drops the member's live approval; gives it back, or null. */
    TicketEntry removeTicket(String memberKey) {
        TicketEntry old = ticketsByMember.remove(memberKey);
        changed |= old != null;
        return old;
    }

    /** A ticket was used: it is no longer its member's live approval. */
    void ticketUsed(TicketEntry entry) {
        changed = true;
        ticketsByMember.remove(entry.memberKey, entry);
    }

    /** The live approvals (a view, under the room's lock). */
    java.util.Collection<TicketEntry> liveTickets() {
        return java.util.Collections.unmodifiableCollection(ticketsByMember.values());
    }

    // ---------------------------------------------------------------- what survives a restart (StoreCodec)

    /** Whether the stored form changed since the last call; clears the mark. */
    boolean takeChanged() {
        boolean was = changed;
        changed = false;
        return was;
    }

    /** Every pending hand with when it was raised, oldest first. */
    void forEachPending(java.util.function.BiConsumer<Hand, Long> action) {
        pending.values().forEach(p -> action.accept(p.hand, p.raisedAtNanos));
    }

    /** Every remembered decision with when it is forgotten, oldest first. */
    void forEachDecided(java.util.function.BiConsumer<Hand, Long> action) {
        decided.values().forEach(d -> action.accept(d.hand(), d.forgetAtNanos()));
    }

    /** Demotions by member, until when (a view). */
    Map<String, Long> demotions() {
        return java.util.Collections.unmodifiableMap(demotedUntil);
    }

    /** A decision a store kept, remembered until {@code forgetAtNanos}. */
    void restoreDecided(Hand hand, long forgetAtNanos) {
        changed = true;
        decided.put(hand.requestId(), new DecidedHand(hand, forgetAtNanos));
        hands.take(1);
    }

    /** The room's promotion state is dropped: its hands no longer count against the bound. */
    void release() {
        hands.give(pending.size() + decided.size());
    }

    // ---------------------------------------------------------------- demotions

    void demote(String memberKey, long untilNanos) {
        changed = true;
        demotedUntil.put(memberKey, untilNanos);
    }

    void liftDemotion(String memberKey) {
        changed = true;
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
            changed = true;
            return false;
        }
        return true;
    }

    /** Drops dead approvals and expired demotions. */
    void sweep(long now) {
        changed |= ticketsByMember.values().removeIf(t -> !t.liveAt(now));
        changed |= demotedUntil.values().removeIf(until -> now - until >= 0);
    }

    /** Every pending hand's id, for a room that ends. */
    List<String> pendingIds() {
        return List.copyOf(pending.keySet());
    }

}

package io.confgate.admission.core.internal;

import io.confgate.admission.promotion.Hand;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One room's promotion state, guarded by the room's monitor ({@link RoomState}). Allocated on the first
 * raised hand, so rooms that never see one cost nothing.
 */
final class RoomPromotions {
    /** Pending hands by request id, oldest first (they all wait the same lifetime, so expiry walks from the head). */
    final LinkedHashMap<String, PendingHand> pending = new LinkedHashMap<>();
    /** Member key → request id of its pending hand: one pending hand per visitor. */
    final Map<String, String> pendingByMember = new HashMap<>();
    /** Decided hands kept for status polls, oldest first, until {@code forgetAtNanos}. */
    final LinkedHashMap<String, DecidedHand> decided = new LinkedHashMap<>();
    /** Member key → its live approval in this room (the newest). */
    final Map<String, TicketEntry> ticketsByMember = new HashMap<>();
    /** Member key → until when it stays a visitor after a demotion. */
    final Map<String, Long> demotedUntil = new HashMap<>();

    boolean isEmpty() {
        return pending.isEmpty() && decided.isEmpty() && ticketsByMember.isEmpty() && demotedUntil.isEmpty();
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

    record DecidedHand(Hand hand, long forgetAtNanos) {
    }
}

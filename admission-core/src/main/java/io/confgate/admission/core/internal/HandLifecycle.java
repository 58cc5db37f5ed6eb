package io.confgate.admission.core.internal;

import io.confgate.admission.Ticker;
import io.confgate.admission.event.PromotionEvent;
import io.confgate.admission.event.PromotionListener;
import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.HandState;
import io.confgate.admission.promotion.PromotionConfig;
import io.confgate.admission.promotion.PromotionReason;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a raised hand ends: approved (with a ticket), denied, withdrawn or expired, and what the room's
 * own events do to hands (a visitor leaves, the room ends, time passes). Each transition records the
 * decided hand for status polls, tells the {@link PromotionListener}, and hands the hand's waiters to
 * {@link Completions} to be told after the room's lock. Every method runs under the room's lock.
 */
final class HandLifecycle {
    private static final Logger log = LoggerFactory.getLogger(HandLifecycle.class);

    private final Ticker ticker;
    private final PromotionListener listener;
    private final Tickets tickets;
    private final long ticketNanos;
    private final long pendingNanos;
    private final int maxDecidedPerRoom;

    HandLifecycle(PromotionConfig config, Ticker ticker, PromotionListener listener, Tickets tickets) {
        this.ticker = ticker;
        this.listener = listener;
        this.tickets = tickets;
        this.ticketNanos = config.ticketLifetime().toNanos();
        this.pendingNanos = config.pendingLifetime().toNanos();
        this.maxDecidedPerRoom = Math.max(1_000, config.maxPendingPerRoom() * 2);
    }

    Hand approvePending(Room room, RoomPromotions promotions, String id, long now, Completions done) {
        Hand hand = promotions.pending(id).hand;
        Hand approved = hand.with(HandState.APPROVED, PromotionReason.MODERATOR_APPROVED,
                Optional.of(tickets.issue(room, promotions, hand, now)));
        return decided(promotions.decide(id, approved, now + ticketNanos, maxDecidedPerRoom, done));
    }

    /** Approves a hand that never waited. */
    Hand approveAtOnce(Room room, RoomPromotions promotions, Hand hand, PromotionReason reason, long now) {
        Hand approved = hand.with(HandState.APPROVED, reason, Optional.of(tickets.issue(room, promotions, hand, now)));
        promotions.remember(approved, now + ticketNanos, maxDecidedPerRoom);
        return decided(approved);
    }

    /** Ends a pending hand without approval; its waiters are told after the lock. */
    Hand finish(RoomPromotions promotions, String id, HandState state, PromotionReason reason, long now,
                        Completions done) {
        Hand hand = promotions.pending(id).hand.with(state, reason, Optional.empty());
        return decided(promotions.decide(id, hand, now + ticketNanos, maxDecidedPerRoom, done));
    }

    private Hand decided(Hand hand) {
        emit(new PromotionEvent.HandDecided(hand));
        return hand;
    }

    /** Expires hands that waited too long and forgets old decisions. */
    void expire(RoomPromotions promotions, long now, Completions done) {
        for (String id : promotions.overdue(now, pendingNanos)) {
            finish(promotions, id, HandState.EXPIRED, PromotionReason.PENDING_EXPIRED, now, done);
        }
        promotions.forgetDecided(now);
    }

    /** Whether the member was demoted and still goes to a visitor node. */
    boolean isDemoted(Room room, String key) {
        RoomPromotions promotions = room.promotionsIfAny();
        return promotions != null && promotions.isDemoted(key, ticker.read());
    }

    /** A visitor left the conference: its pending hand is withdrawn. */
    void visitorLeft(Room room, String key) {
        RoomPromotions promotions = room.promotionsIfAny();
        RoomPromotions.PendingHand pending = promotions == null ? null : promotions.pendingOf(key);
        if (pending != null) {
            Completions done = new Completions();
            finish(promotions, pending.hand.requestId(), HandState.WITHDRAWN, PromotionReason.VISITOR_LEFT,
                    ticker.read(), done);
            done.runAsync();
        }
    }

    /** The room is destroyed: pending hands expire, tickets and remembered decisions are dropped. */
    void roomDestroyed(Room room) {
        RoomPromotions promotions = room.promotionsIfAny();
        if (promotions == null) {
            return;
        }
        Completions done = new Completions();
        long now = ticker.read();
        for (String id : promotions.pendingIds()) {
            finish(promotions, id, HandState.EXPIRED, PromotionReason.ROOM_DESTROYED, now, done);
        }
        tickets.roomDestroyed(promotions);
        room.dropPromotions();
        done.runAsync();
    }

    /** Periodic sweep of one room: expiries of every kind. */
    void sweep(Room room) {
        RoomPromotions promotions = room.promotionsIfAny();
        if (promotions == null) {
            return;
        }
        long now = ticker.read();
        Completions done = new Completions();
        expire(promotions, now, done);
        promotions.sweep(now);
        if (promotions.isEmpty()) {
            room.dropPromotions();
        }
        done.runAsync();
    }

    /** Tells the listener; a failing listener is logged and changes nothing. */
    void emit(PromotionEvent event) {
        try {
            listener.onPromotion(event);
        } catch (RuntimeException e) {
            log.error("Promotion listener failed on {}; promotion state is unaffected", event, e);
        }
    }
}

package io.confgate.admission.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.Ticker;
import io.confgate.admission.TicketCheck;
import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.PromotionConfig;
import io.confgate.admission.promotion.PromotionTicket;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Promotion tickets: issued on approval, single use, bound to the room object, the member key and the
 * user id. Every ticket is kept by id in one bounded Caffeine cache, for twice its lifetime so that a late
 * use is told {@link TicketCheck#EXPIRED} rather than {@link TicketCheck#UNKNOWN}; each room also keeps
 * its members' live approvals ({@link RoomPromotions}). Every method but {@link #cleanUp} runs under the
 * room's lock.
 */
final class Tickets {
    private final PromotionConfig config;
    private final int maxTickets;
    private final long lifetimeNanos;
    private final Cache<String, TicketEntry> byId;
    private final SecureRandom random = new SecureRandom();

    Tickets(PromotionConfig config, Ticker ticker) {
        this.config = config;
        this.lifetimeNanos = config.ticketLifetime().toNanos();
        this.maxTickets = config.maxTickets();
        // The size bound is only a backstop: approvals are refused at max-tickets before it evicts anything.
        this.byId = Caffeine.newBuilder()
                .expireAfterWrite(config.ticketLifetime().multipliedBy(2))
                .maximumSize(config.maxTickets() * 2L)
                .ticker(ticker::read)
                .executor(Runnable::run)
                .build();
    }

    /** Whether {@code count} more tickets fit under {@code admission.promotion.max-tickets}. */
    boolean hasRoom(int count) {
        return byId.estimatedSize() + count <= maxTickets;
    }

    long count() {
        return byId.estimatedSize();
    }

    /** A random, unguessable id (tickets and hands). */
    String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Issues the ticket of an approved hand: the member's one live approval in the room, demotion lifted. */
    PromotionTicket issue(Room room, RoomPromotions promotions, Hand hand, long now) {
        revoke(promotions, hand.memberKey());
        promotions.liftDemotion(hand.memberKey());
        TicketEntry entry = new TicketEntry(newId(), room, hand.memberKey(), hand.userId(), now + lifetimeNanos);
        byId.put(entry.id, entry);
        promotions.putTicket(entry);
        return new PromotionTicket(entry.id, room.jid(), hand.memberKey(), config.ticketLifetime());
    }

    /** Voids the member's live approval in the room, if any (a newer one, or a demotion, replaces it). */
    void revoke(RoomPromotions promotions, String memberKey) {
        TicketEntry old = promotions.removeTicket(memberKey);
        if (old != null) {
            old.used = true;
        }
    }

    /** The ticket a join request can use in its room, and what became of the one it presented. */
    record Lookup(TicketCheck check, TicketEntry usable) {
        static final Lookup NONE = new Lookup(TicketCheck.NONE, null);
    }

    /**
     * Finds the approval a request may use, without using it: the ticket it presents, else (or when that
     * one does not check out) the approval its identity holds in this room.
     */
    Lookup lookup(Room room, JoinRequest request, String key, long now) {
        RoomPromotions promotions = room.promotionsIfAny();
        if (promotions == null && request.promotionTicket().isEmpty()) {
            return Lookup.NONE; // most rooms never see a hand
        }
        TicketCheck presented = TicketCheck.NONE;
        if (request.promotionTicket().isPresent()) {
            TicketEntry entry = byId.getIfPresent(request.promotionTicket().get());
            presented = check(entry, room, request, key, now);
            if (presented == TicketCheck.REDEEMED) {
                return new Lookup(TicketCheck.REDEEMED, entry);
            }
        }
        TicketEntry held = promotions == null ? null : promotions.ticketOf(key);
        if (held != null && held.liveAt(now) && held.userId.equals(request.identity().userId())) {
            return new Lookup(TicketCheck.REDEEMED, held);
        }
        return presented == TicketCheck.NONE ? Lookup.NONE : new Lookup(presented, null);
    }

    private static TicketCheck check(TicketEntry entry, Room room, JoinRequest request, String key, long now) {
        if (entry == null) {
            return TicketCheck.UNKNOWN;
        }
        if (entry.room != room) {
            // Same address but an older incarnation of the room: its tickets were dropped with it.
            return entry.room.jid().equals(room.jid()) ? TicketCheck.UNKNOWN : TicketCheck.OTHER_ROOM;
        }
        if (!entry.memberKey.equals(key) || !entry.userId.equals(request.identity().userId())) {
            return TicketCheck.OTHER_IDENTITY;
        }
        if (entry.used) {
            return TicketCheck.ALREADY_USED;
        }
        if (now - entry.expiresAtNanos >= 0) {
            return TicketCheck.EXPIRED;
        }
        return TicketCheck.REDEEMED;
    }

    /** Puts back a ticket a store kept. */
    void restore(TicketEntry entry) {
        byId.put(entry.id, entry);
    }

    /** Uses a ticket up; the member is then placed in the main room. */
    void redeem(Room room, TicketEntry entry) {
        entry.used = true;
        RoomPromotions promotions = room.promotionsIfAny();
        if (promotions != null) {
            promotions.ticketUsed(entry);
            promotions.liftDemotion(entry.memberKey);
        }
    }

    /** The room is destroyed: every ticket it issued stops working at once. */
    void roomDestroyed(RoomPromotions promotions) {
        for (TicketEntry entry : promotions.liveTickets()) {
            entry.used = true;
            byId.invalidate(entry.id);
        }
        promotions.decidedTickets().forEach(byId::invalidate);
    }

    void cleanUp() {
        byId.cleanUp();
    }
}

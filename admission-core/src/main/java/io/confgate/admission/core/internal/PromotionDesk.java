package io.confgate.admission.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.confgate.admission.Identity;
import io.confgate.admission.JoinRequest;
import io.confgate.admission.RoomFacts;
import io.confgate.admission.Ticker;
import io.confgate.admission.TicketCheck;
import io.confgate.admission.event.PromotionEvent;
import io.confgate.admission.event.PromotionListener;
import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.HandState;
import io.confgate.admission.promotion.PromotionConfig;
import io.confgate.admission.promotion.PromotionError;
import io.confgate.admission.promotion.PromotionReason;
import io.confgate.admission.promotion.PromotionRequest;
import io.confgate.admission.promotion.PromotionResult;
import io.confgate.admission.promotion.PromotionTicket;
import io.confgate.admission.promotion.Promotions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jxmpp.jid.EntityBareJid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Promotion, run under the engine's per-room locks. Hands, decided hands, per-member approvals and
 * demotions live in the room's {@link RoomPromotions}; the only shared structures are two bounded
 * Caffeine caches (tickets by id, raise counts by visitor), so no lock spans rooms.
 */
final class PromotionDesk implements Promotions {
    private static final Logger log = LoggerFactory.getLogger(PromotionDesk.class);
    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_RATE_KEYS = 1_000_000;

    private final DefaultAdmissionEngine engine;
    private final PromotionConfig config;
    private final Ticker ticker;
    private final PromotionListener listener;
    private final long ticketNanos;
    private final long pendingNanos;
    private final long demotionNanos;
    private final int maxDecidedPerRoom;
    /** Every ticket by id, kept twice its lifetime so that a late use is told EXPIRED rather than UNKNOWN. */
    private final Cache<String, TicketEntry> tickets;
    /** Raised hands per visitor in the current minute. */
    private final Cache<String, RateWindow> raises;
    private final SecureRandom random = new SecureRandom();

    PromotionDesk(DefaultAdmissionEngine engine, PromotionConfig config, Ticker ticker, PromotionListener listener) {
        this.engine = engine;
        this.config = config;
        this.ticker = ticker;
        this.listener = listener;
        this.ticketNanos = config.ticketLifetime().toNanos();
        this.pendingNanos = config.pendingLifetime().toNanos();
        this.demotionNanos = config.demotionLifetime().toNanos();
        this.maxDecidedPerRoom = Math.max(1_000, config.maxPendingPerRoom() * 2);
        this.tickets = Caffeine.newBuilder()
                .expireAfterWrite(config.ticketLifetime().multipliedBy(2))
                .maximumSize(config.maxTickets())
                .ticker(ticker::read)
                .executor(Runnable::run)
                .build();
        this.raises = Caffeine.newBuilder()
                .expireAfterWrite(Duration.ofMinutes(1))
                .maximumSize(MAX_RATE_KEYS)
                .ticker(ticker::read)
                .executor(Runnable::run)
                .build();
    }

    private record RateWindow(long startNanos, int count) {
    }

    // ---------------------------------------------------------------- visitor calls

    @Override
    public PromotionResult raiseHand(PromotionRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        Identity visitor = request.visitor();
        Optional<String> key = visitor.memberKey();
        if (key.isEmpty()) {
            return refused(PromotionError.NO_IDENTITY,
                    "a raised hand needs a sessionId, machineUid or user id to bind the approval to");
        }
        if (request.nodeId().isPresent() && !engine.hasNode(request.nodeId().get())) {
            return refused(PromotionError.UNKNOWN_NODE, "no visitor node '" + request.nodeId().get() + "'");
        }
        if (!withinRate(key.get())) {
            return refused(PromotionError.RATE_LIMITED, "more than " + config.maxRequestsPerVisitorPerMinute()
                    + " raised hands in a minute; wait and try again");
        }
        RoomFacts facts = engine.factsFor(request.room());
        Completions done = new Completions();
        PromotionResult result = engine.inRoom(request.room(), true,
                state -> raiseLocked(state, request, key.get(), facts, done));
        done.run();
        return result;
    }

    private boolean withinRate(String key) {
        long now = ticker.read();
        RateWindow window = raises.asMap().compute(key, (k, w) ->
                w == null || now - w.startNanos() >= MINUTE_NANOS ? new RateWindow(now, 1)
                        : new RateWindow(w.startNanos(), w.count() + 1));
        return window.count() <= config.maxRequestsPerVisitorPerMinute();
    }

    private PromotionResult raiseLocked(RoomState state, PromotionRequest request, String key, RoomFacts facts,
                                        Completions done) {
        long now = ticker.read();
        RoomPromotions room = state.promotions();
        expire(state, room, now, done);
        if (engine.isInMain(state, key)) {
            return refused(PromotionError.ALREADY_IN_MAIN, "already in the main room of " + state.jid);
        }
        String existing = room.pendingByMember.get(key);
        if (existing != null) {
            return new PromotionResult.Done(List.of(room.pending.get(existing).hand));
        }
        Identity visitor = request.visitor();
        Hand hand = new Hand(newId(), state.jid, key, visitor.userId(), visitor.groupId(), request.displayName(),
                request.nodeId(), HandState.PENDING, PromotionReason.AWAITING_MODERATOR, Optional.empty());
        if (visitor.moderator() || facts.isModerator(visitor.userId(), visitor.groupId())) {
            return new PromotionResult.Done(List.of(approve(state, room, hand, PromotionReason.REQUESTER_IS_MODERATOR,
                    now)));
        }
        if (facts.autoAllowPromotion().orElse(config.autoAllow())) {
            return new PromotionResult.Done(List.of(approve(state, room, hand, PromotionReason.AUTO_ALLOWED, now)));
        }
        if (room.pending.size() >= config.maxPendingPerRoom()) {
            return refused(PromotionError.TOO_MANY_PENDING, state.jid + " already has " + room.pending.size()
                    + " hands waiting for a moderator (max-pending-per-room)");
        }
        room.pending.put(hand.requestId(), new RoomPromotions.PendingHand(hand, now));
        room.pendingByMember.put(key, hand.requestId());
        emit(new PromotionEvent.HandRaised(hand));
        return new PromotionResult.Done(List.of(hand));
    }

    @Override
    public PromotionResult lowerHand(EntityBareJid room, String requestId, Identity visitor) {
        Objects.requireNonNull(room, "room must not be null");
        Objects.requireNonNull(visitor, "visitor must not be null");
        Completions done = new Completions();
        PromotionResult result = engine.inRoom(room, false, state -> {
            RoomPromotions promotions = state.promotions;
            if (promotions == null) {
                return null;
            }
            expire(state, promotions, ticker.read(), done);
            RoomPromotions.PendingHand pending = requestId == null ? null : promotions.pending.get(requestId);
            if (pending == null) {
                return null;
            }
            if (!visitor.memberKey().map(pending.hand.memberKey()::equals).orElse(false)) {
                return refused(PromotionError.NOT_YOUR_REQUEST, "hand " + requestId + " was raised by another visitor");
            }
            Hand lowered = finish(state, promotions, requestId, HandState.WITHDRAWN, PromotionReason.HAND_LOWERED,
                    Optional.empty(), ticker.read(), done);
            return new PromotionResult.Done(List.of(lowered));
        });
        done.run();
        return result != null ? result : unknownRequest(room, requestId);
    }

    @Override
    public Optional<Hand> status(EntityBareJid room, String requestId) {
        Objects.requireNonNull(room, "room must not be null");
        if (requestId == null) {
            return Optional.empty();
        }
        Completions done = new Completions();
        Hand hand = engine.inRoom(room, false, state -> {
            RoomPromotions promotions = state.promotions;
            if (promotions == null) {
                return null;
            }
            expire(state, promotions, ticker.read(), done);
            return find(promotions, requestId);
        });
        done.run();
        return Optional.ofNullable(hand);
    }

    @Override
    public CompletableFuture<Hand> awaitDecision(EntityBareJid room, String requestId) {
        Objects.requireNonNull(room, "room must not be null");
        Completions done = new Completions();
        CompletableFuture<Hand> future = engine.inRoom(room, false, state -> {
            RoomPromotions promotions = state.promotions;
            if (promotions == null || requestId == null) {
                return null;
            }
            expire(state, promotions, ticker.read(), done);
            RoomPromotions.PendingHand pending = promotions.pending.get(requestId);
            if (pending == null) {
                Hand decided = find(promotions, requestId);
                return decided == null ? null : CompletableFuture.completedFuture(decided);
            }
            CompletableFuture<Hand> waiter = new CompletableFuture<>();
            pending.waiters.add(waiter);
            // A waiter the caller gives up on (timeout, cancel) is forgotten at once.
            waiter.whenComplete((h, e) -> {
                if (e != null) {
                    engine.inRoom(room, false, s -> pending.waiters.remove(waiter));
                }
            });
            return waiter;
        });
        done.run();
        return future != null ? future
                : CompletableFuture.failedFuture(new NoSuchElementException("no hand " + requestId + " in " + room));
    }

    // ---------------------------------------------------------------- moderator calls

    @Override
    public PromotionResult pending(EntityBareJid room, Identity moderator) {
        return asModerator(room, moderator, (state, promotions, now, done) -> {
            List<Hand> hands = new ArrayList<>(promotions.pending.size());
            for (RoomPromotions.PendingHand pending : promotions.pending.values()) {
                hands.add(pending.hand);
            }
            return new PromotionResult.Done(hands);
        });
    }

    @Override
    public PromotionResult approve(EntityBareJid room, Identity moderator, Collection<String> requestIds) {
        return decide(room, moderator, requestIds, true);
    }

    @Override
    public PromotionResult deny(EntityBareJid room, Identity moderator, Collection<String> requestIds) {
        return decide(room, moderator, requestIds, false);
    }

    private PromotionResult decide(EntityBareJid room, Identity moderator, Collection<String> requestIds,
                                   boolean allow) {
        Objects.requireNonNull(requestIds, "requestIds must not be null");
        List<String> ids = List.copyOf(new LinkedHashSet<>(requestIds));
        return asModerator(room, moderator, (state, promotions, now, done) -> {
            // Check every id before changing anything: all or nothing.
            for (String id : ids) {
                RoomPromotions.PendingHand pending = promotions.pending.get(id);
                if (pending == null) {
                    Hand decided = find(promotions, id);
                    return decided == null ? unknownRequest(room, id)
                            : refused(PromotionError.UNKNOWN_REQUEST, "hand " + id + " is no longer pending (it is "
                            + decided.state() + ")");
                }
                if (allow && isSelf(moderator, pending.hand)) {
                    return refused(PromotionError.SELF_APPROVAL, "a moderator cannot approve its own hand");
                }
            }
            List<Hand> out = new ArrayList<>(ids.size());
            for (String id : ids) {
                out.add(allow ? approvePending(state, promotions, id, now, done)
                        : finish(state, promotions, id, HandState.DENIED, PromotionReason.MODERATOR_DENIED,
                                Optional.empty(), now, done));
            }
            return new PromotionResult.Done(out);
        });
    }

    @Override
    public PromotionResult approveAll(EntityBareJid room, Identity moderator) {
        return asModerator(room, moderator, (state, promotions, now, done) -> {
            List<Hand> out = new ArrayList<>(promotions.pending.size());
            for (String id : List.copyOf(promotions.pending.keySet())) {
                if (!isSelf(moderator, promotions.pending.get(id).hand)) {
                    out.add(approvePending(state, promotions, id, now, done));
                }
            }
            return new PromotionResult.Done(out);
        });
    }

    @Override
    public PromotionResult demote(EntityBareJid room, Identity moderator, String memberKey) {
        if (memberKey == null || memberKey.isBlank()) {
            return refused(PromotionError.NOT_IN_MAIN, "name the member to demote by its member key");
        }
        return asModerator(room, moderator, (state, promotions, now, done) -> {
            if (!engine.vacate(state, memberKey)) {
                return refused(PromotionError.NOT_IN_MAIN, memberKey + " is not in the main room of " + room);
            }
            voidTicket(promotions, memberKey);
            promotions.demotedUntil.put(memberKey, now + demotionNanos);
            emit(new PromotionEvent.Demoted(state.jid, memberKey));
            log.info("{} demoted {} in {}", moderator.memberKey().orElse("a moderator"), memberKey, room);
            return new PromotionResult.Done(List.of());
        });
    }

    @FunctionalInterface
    private interface ModeratorAction {
        PromotionResult apply(RoomState state, RoomPromotions promotions, long now, Completions done);
    }

    private PromotionResult asModerator(EntityBareJid room, Identity moderator, ModeratorAction action) {
        Objects.requireNonNull(room, "room must not be null");
        Objects.requireNonNull(moderator, "moderator must not be null");
        RoomFacts facts = engine.factsFor(room);
        if (!moderator.moderator() && !facts.isModerator(moderator.userId(), moderator.groupId())) {
            return refused(PromotionError.NOT_MODERATOR, "only a moderator of " + room + " can do this");
        }
        Completions done = new Completions();
        PromotionResult result = engine.inRoom(room, true, state -> {
            long now = ticker.read();
            RoomPromotions promotions = state.promotions();
            expire(state, promotions, now, done);
            return action.apply(state, promotions, now, done);
        });
        done.run();
        return result;
    }

    private static boolean isSelf(Identity moderator, Hand hand) {
        return moderator.memberKey().map(hand.memberKey()::equals).orElse(false)
                || (hand.userId().isPresent() && hand.userId().equals(moderator.userId()));
    }

    // ---------------------------------------------------------------- decisions and tickets (room lock held)

    private Hand approvePending(RoomState state, RoomPromotions promotions, String id, long now, Completions done) {
        RoomPromotions.PendingHand pending = promotions.pending.get(id);
        PromotionTicket ticket = issue(state, promotions, pending.hand, now);
        return finish(state, promotions, id, HandState.APPROVED, PromotionReason.MODERATOR_APPROVED,
                Optional.of(ticket), now, done);
    }

    /** Approves a hand that never waited. */
    private Hand approve(RoomState state, RoomPromotions promotions, Hand hand, PromotionReason reason, long now) {
        PromotionTicket ticket = issue(state, promotions, hand, now);
        Hand approved = hand.with(HandState.APPROVED, reason, Optional.of(ticket));
        remember(promotions, approved, now);
        emit(new PromotionEvent.HandDecided(approved));
        return approved;
    }

    /** Moves a pending hand to a final state, tells its waiters (after the lock) and the listener. */
    private Hand finish(RoomState state, RoomPromotions promotions, String id, HandState newState,
                        PromotionReason reason, Optional<PromotionTicket> ticket, long now, Completions done) {
        RoomPromotions.PendingHand pending = promotions.pending.remove(id);
        promotions.pendingByMember.remove(pending.hand.memberKey(), id);
        Hand decided = pending.hand.with(newState, reason, ticket);
        remember(promotions, decided, now);
        done.add(pending.waiters, decided);
        emit(new PromotionEvent.HandDecided(decided));
        return decided;
    }

    private void remember(RoomPromotions promotions, Hand hand, long now) {
        promotions.decided.put(hand.requestId(), new RoomPromotions.DecidedHand(hand, now + ticketNanos));
        if (promotions.decided.size() > maxDecidedPerRoom) {
            Iterator<String> eldest = promotions.decided.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    private PromotionTicket issue(RoomState state, RoomPromotions promotions, Hand hand, long now) {
        voidTicket(promotions, hand.memberKey()); // one live approval per member and room
        promotions.demotedUntil.remove(hand.memberKey());
        TicketEntry entry = new TicketEntry(newId(), state, hand.memberKey(), hand.userId(), now + ticketNanos);
        tickets.put(entry.id, entry);
        promotions.ticketsByMember.put(hand.memberKey(), entry);
        return new PromotionTicket(entry.id, state.jid, hand.memberKey(), config.ticketLifetime());
    }

    private void voidTicket(RoomPromotions promotions, String memberKey) {
        TicketEntry old = promotions.ticketsByMember.remove(memberKey);
        if (old != null) {
            old.used = true;
        }
    }

    /** The ticket a join request can use in this room, and what became of the one it presented. */
    record TicketLookup(TicketCheck check, TicketEntry usable) {
        static final TicketLookup NONE = new TicketLookup(TicketCheck.NONE, null);
    }

    /**
     * Finds the approval a request may use, without using it: the ticket it presents, else (or when
     * that one does not check out) the approval its identity holds in this room.
     */
    TicketLookup lookup(RoomState state, JoinRequest request, String key) {
        long now = ticker.read();
        TicketCheck presented = TicketCheck.NONE;
        if (request.promotionTicket().isPresent()) {
            TicketEntry entry = tickets.getIfPresent(request.promotionTicket().get());
            presented = check(entry, state, request, key, now);
            if (presented == TicketCheck.REDEEMED) {
                return new TicketLookup(TicketCheck.REDEEMED, entry);
            }
        }
        RoomPromotions promotions = state.promotions;
        TicketEntry held = promotions == null ? null : promotions.ticketsByMember.get(key);
        if (held != null && held.liveAt(now) && held.userId.equals(request.identity().userId())) {
            return new TicketLookup(TicketCheck.REDEEMED, held);
        }
        return presented == TicketCheck.NONE ? TicketLookup.NONE : new TicketLookup(presented, null);
    }

    private static TicketCheck check(TicketEntry entry, RoomState state, JoinRequest request, String key, long now) {
        if (entry == null) {
            return TicketCheck.UNKNOWN;
        }
        if (entry.room != state) {
            // Same address but an older incarnation of the room: its tickets were dropped with it.
            return entry.room.jid.equals(state.jid) ? TicketCheck.UNKNOWN : TicketCheck.OTHER_ROOM;
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

    /** Uses a ticket up (room lock held); the member is then placed in the main room. */
    void redeem(RoomState state, TicketEntry entry) {
        entry.used = true;
        RoomPromotions promotions = state.promotions;
        if (promotions != null) {
            promotions.ticketsByMember.remove(entry.memberKey, entry);
            promotions.demotedUntil.remove(entry.memberKey);
        }
    }

    /** Whether the member was demoted and still goes to a visitor node. */
    boolean isDemoted(RoomState state, String key) {
        RoomPromotions promotions = state.promotions;
        if (promotions == null) {
            return false;
        }
        Long until = promotions.demotedUntil.get(key);
        if (until == null) {
            return false;
        }
        if (ticker.read() - until >= 0) {
            promotions.demotedUntil.remove(key);
            return false;
        }
        return true;
    }

    /** A visitor left the conference: its pending hand is withdrawn. */
    void visitorLeft(RoomState state, String key) {
        RoomPromotions promotions = state.promotions;
        String id = promotions == null ? null : promotions.pendingByMember.get(key);
        if (id != null) {
            Completions done = new Completions();
            finish(state, promotions, id, HandState.WITHDRAWN, PromotionReason.VISITOR_LEFT, Optional.empty(),
                    ticker.read(), done);
            done.runAsync();
        }
    }

    /** The room is destroyed: pending hands expire, tickets and remembered decisions are dropped. */
    void roomDestroyed(RoomState state) {
        RoomPromotions promotions = state.promotions;
        if (promotions == null) {
            return;
        }
        Completions done = new Completions();
        long now = ticker.read();
        for (String id : List.copyOf(promotions.pending.keySet())) {
            finish(state, promotions, id, HandState.EXPIRED, PromotionReason.ROOM_DESTROYED, Optional.empty(), now,
                    done);
        }
        for (TicketEntry entry : promotions.ticketsByMember.values()) {
            entry.used = true;
            tickets.invalidate(entry.id);
        }
        for (RoomPromotions.DecidedHand decided : promotions.decided.values()) {
            decided.hand().ticket().ifPresent(t -> tickets.invalidate(t.id()));
        }
        state.promotions = null;
        done.runAsync();
    }

    /** Periodic sweep of one room (room lock held): expiries of every kind. */
    void sweep(RoomState state) {
        RoomPromotions promotions = state.promotions;
        if (promotions == null) {
            return;
        }
        long now = ticker.read();
        Completions done = new Completions();
        expire(state, promotions, now, done);
        promotions.ticketsByMember.values().removeIf(t -> !t.liveAt(now));
        promotions.demotedUntil.values().removeIf(until -> now - until >= 0);
        if (promotions.isEmpty()) {
            state.promotions = null;
        }
        done.runAsync();
    }

    void cleanUp() {
        tickets.cleanUp();
        raises.cleanUp();
    }

    /** Expires hands that waited too long and forgets old decisions; both maps are oldest first. */
    private void expire(RoomState state, RoomPromotions promotions, long now, Completions done) {
        Iterator<Map.Entry<String, RoomPromotions.PendingHand>> pending = promotions.pending.entrySet().iterator();
        List<String> expired = null;
        while (pending.hasNext()) {
            Map.Entry<String, RoomPromotions.PendingHand> e = pending.next();
            if (now - e.getValue().raisedAtNanos < pendingNanos) {
                break;
            }
            if (expired == null) {
                expired = new ArrayList<>();
            }
            expired.add(e.getKey());
        }
        if (expired != null) {
            for (String id : expired) {
                finish(state, promotions, id, HandState.EXPIRED, PromotionReason.PENDING_EXPIRED, Optional.empty(),
                        now, done);
            }
        }
        Iterator<RoomPromotions.DecidedHand> decided = promotions.decided.values().iterator();
        while (decided.hasNext() && now - decided.next().forgetAtNanos() >= 0) {
            decided.remove();
        }
    }

    private static Hand find(RoomPromotions promotions, String requestId) {
        RoomPromotions.PendingHand pending = promotions.pending.get(requestId);
        if (pending != null) {
            return pending.hand;
        }
        RoomPromotions.DecidedHand decided = promotions.decided.get(requestId);
        return decided == null ? null : decided.hand();
    }

    private void emit(PromotionEvent event) {
        try {
            listener.onPromotion(event);
        } catch (RuntimeException e) {
            log.error("Promotion listener failed on {}; promotion state is unaffected", event, e);
        }
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static PromotionResult refused(PromotionError error, String message) {
        return new PromotionResult.Refused(error, message);
    }

    private static PromotionResult unknownRequest(EntityBareJid room, String id) {
        return refused(PromotionError.UNKNOWN_REQUEST, "no hand '" + id + "' in " + room);
    }

    /**
     * Waiters to complete once the room's lock is released, so that their callbacks (an HTTP answer, say)
     * never run under it.
     */
    private static final class Completions {
        private List<CompletableFuture<Hand>> futures;
        private List<Hand> hands;

        void add(List<CompletableFuture<Hand>> waiters, Hand hand) {
            if (waiters.isEmpty()) {
                return;
            }
            if (futures == null) {
                futures = new ArrayList<>();
                hands = new ArrayList<>();
            }
            for (CompletableFuture<Hand> waiter : waiters) {
                futures.add(waiter);
                hands.add(hand);
            }
            waiters.clear();
        }

        /** Completes on this thread; call with no lock held. */
        void run() {
            if (futures != null) {
                for (int i = 0; i < futures.size(); i++) {
                    futures.get(i).complete(hands.get(i));
                }
            }
        }

        /** Completes on the common pool; for callers that still hold the room's lock. */
        void runAsync() {
            if (futures != null) {
                for (int i = 0; i < futures.size(); i++) {
                    Hand hand = hands.get(i);
                    futures.get(i).completeAsync(() -> hand);
                }
            }
        }
    }
}

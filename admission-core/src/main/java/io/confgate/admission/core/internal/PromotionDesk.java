package io.confgate.admission.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.confgate.admission.Identity;
import io.confgate.admission.RoomFacts;
import io.confgate.admission.Ticker;
import io.confgate.admission.event.PromotionEvent;
import io.confgate.admission.event.PromotionListener;
import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.HandState;
import io.confgate.admission.promotion.PromotionConfig;
import io.confgate.admission.promotion.PromotionError;
import io.confgate.admission.promotion.PromotionReason;
import io.confgate.admission.promotion.PromotionRequest;
import io.confgate.admission.promotion.PromotionResult;
import io.confgate.admission.promotion.Promotions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jxmpp.jid.EntityBareJid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Promotion: visitors raise hands, moderators decide, approvals become {@link Tickets}. Runs under the
 * rooms' own locks through {@link RoomAccess}; hands live in each room's {@link RoomPromotions}. The only
 * structures shared across rooms are two bounded Caffeine caches (tickets by id, raises per visitor).
 */
final class PromotionDesk implements Promotions {
    private static final Logger log = LoggerFactory.getLogger(PromotionDesk.class);
    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final RoomAccess rooms;
    private final PromotionConfig config;
    private final Ticker ticker;
    private final Tickets tickets;
    private final HandLifecycle hands;
    private final long demotionNanos;
    /** Hands over all rooms: past {@code max-hands} a new one is refused. */
    private final Budget handBudget;
    /** Raised hands per visitor in the current minute; bounded by {@code max-tracked-visitors}. */
    private final Cache<String, RateWindow> raises;

    PromotionDesk(RoomAccess rooms, PromotionConfig config, Ticker ticker, PromotionListener listener, Budget hands) {
        this.rooms = rooms;
        this.config = config;
        this.ticker = ticker;
        this.tickets = new Tickets(config, ticker);
        this.hands = new HandLifecycle(config, ticker, listener, tickets);
        this.demotionNanos = config.demotionLifetime().toNanos();
        this.handBudget = hands;
        this.raises = Caffeine.newBuilder()
                .expireAfterWrite(Duration.ofMinutes(1))
                .maximumSize(config.maxTrackedVisitors())
                .ticker(ticker::read)
                .executor(Runnable::run)
                .build();
    }

    private record RateWindow(long startNanos, int count) {
    }

    // ---------------------------------------------------------------- what placement and the engine ask

    /** The approval a join request may use in {@code room} (under its lock), without using it. */
    Tickets.Lookup ticketFor(Room room, io.confgate.admission.JoinRequest request, String key) {
        return tickets.lookup(room, request, key, ticker.read());
    }

    /** Uses a ticket up; the member is then placed in the main room. */
    void redeem(Room room, TicketEntry ticket) {
        tickets.redeem(room, ticket);
    }

    /** Whether the member was demoted and still goes to a visitor node. */
    boolean isDemoted(Room room, String key) {
        return hands.isDemoted(room, key);
    }

    /** A visitor left the conference: its pending hand is withdrawn. */
    void visitorLeft(Room room, String key) {
        hands.visitorLeft(room, key);
    }

    /** The room is destroyed: pending hands expire, tickets and remembered decisions are dropped. */
    void roomDestroyed(Room room) {
        hands.roomDestroyed(room);
    }

    /** Periodic sweep of one room: expiries of every kind. */
    void sweep(Room room) {
        hands.sweep(room);
    }

    void cleanUp() {
        tickets.cleanUp();
        raises.cleanUp();
    }

    /** Hands held now over all rooms, and tickets issued: for metrics. */
    int handCount() {
        return handBudget.used();
    }

    long ticketCount() {
        return tickets.count();
    }

    long trackedVisitorCount() {
        return raises.estimatedSize();
    }

    /** A room rebuilt from the store: its tickets go back in the index. */
    void restored(Room room, java.util.List<TicketEntry> known) {
        known.forEach(tickets::restore);
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
        if (request.nodeId().isPresent() && !rooms.hasNode(request.nodeId().get())) {
            return refused(PromotionError.UNKNOWN_NODE, "no visitor node '" + request.nodeId().get() + "'");
        }
        // At max-hands only a visitor who already has a hand gets an answer (that hand); the call is not counted
        // and creates no room, so a flood past the bound leaves nothing behind.
        boolean full = !handBudget.hasRoom(1);
        if (!full && !withinRate(key.get())) {
            return refused(PromotionError.RATE_LIMITED, "more than " + config.maxRequestsPerVisitorPerMinute()
                    + " raised hands in a minute; wait and try again");
        }
        RoomFacts facts = rooms.factsFor(request.room());
        Completions done = new Completions();
        PromotionResult result = rooms.inRoom(request.room(), !full, room -> raise(room, request, key.get(), facts,
                full, done));
        done.run();
        return result != null ? result : full ? handsFull() : noRoom(request.room());
    }

    private PromotionResult handsFull() {
        return refused(PromotionError.CAPACITY, "the server holds " + handBudget.used()
                + " hands (admission.promotion.max-hands); try again later");
    }

    private boolean withinRate(String key) {
        long now = ticker.read();
        RateWindow window = raises.asMap().compute(key, (k, w) ->
                w == null || now - w.startNanos() >= MINUTE_NANOS ? new RateWindow(now, 1)
                        : new RateWindow(w.startNanos(), w.count() + 1));
        return window.count() <= config.maxRequestsPerVisitorPerMinute();
    }

    private PromotionResult raise(Room room, PromotionRequest request, String key, RoomFacts facts, boolean full,
                                  Completions done) {
        long now = ticker.read();
        RoomPromotions promotions = room.promotions();
        hands.expire(promotions, now, done);
        if (room.isInMain(key)) {
            return refused(PromotionError.ALREADY_IN_MAIN, "already in the main room of " + room.jid());
        }
        RoomPromotions.PendingHand existing = promotions.pendingOf(key);
        if (existing != null) {
            return new PromotionResult.Done(List.of(existing.hand));
        }
        if (full) {
            return handsFull();
        }
        Identity visitor = request.visitor();
        Hand hand = new Hand(tickets.newId(), room.jid(), key, visitor.userId(), visitor.groupId(),
                request.displayName(), request.nodeId(), HandState.PENDING, PromotionReason.AWAITING_MODERATOR,
                Optional.empty());
        boolean approvesAtOnce = visitor.moderator() || facts.isModerator(visitor.userId(), visitor.groupId())
                || facts.autoAllowPromotion().orElse(config.autoAllow());
        if (approvesAtOnce && !tickets.hasRoom(1)) {
            return ticketsFull();
        }
        if (visitor.moderator() || facts.isModerator(visitor.userId(), visitor.groupId())) {
            return done(hands.approveAtOnce(room, promotions, hand, PromotionReason.REQUESTER_IS_MODERATOR, now));
        }
        if (facts.autoAllowPromotion().orElse(config.autoAllow())) {
            return done(hands.approveAtOnce(room, promotions, hand, PromotionReason.AUTO_ALLOWED, now));
        }
        if (promotions.pendingCount() >= config.maxPendingPerRoom()) {
            return refused(PromotionError.TOO_MANY_PENDING, room.jid() + " already has " + promotions.pendingCount()
                    + " hands waiting for a moderator (max-pending-per-room)");
        }
        promotions.addPending(hand, now);
        hands.emit(new PromotionEvent.HandRaised(hand));
        return done(hand);
    }

    @Override
    public PromotionResult lowerHand(EntityBareJid room, String requestId, Identity visitor) {
        Objects.requireNonNull(room, "room must not be null");
        Objects.requireNonNull(visitor, "visitor must not be null");
        Completions done = new Completions();
        PromotionResult result = withPromotions(room, done, (r, promotions, now) -> {
            RoomPromotions.PendingHand pending = requestId == null ? null : promotions.pending(requestId);
            if (pending == null) {
                return null;
            }
            if (!visitor.memberKey().map(pending.hand.memberKey()::equals).orElse(false)) {
                return refused(PromotionError.NOT_YOUR_REQUEST, "hand " + requestId + " was raised by another visitor");
            }
            return done(hands.finish(promotions, requestId, HandState.WITHDRAWN, PromotionReason.HAND_LOWERED, now, done));
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
        Hand hand = withPromotions(room, done, (r, promotions, now) -> promotions.find(requestId));
        done.run();
        return Optional.ofNullable(hand);
    }

    @Override
    public CompletableFuture<Hand> awaitDecision(EntityBareJid room, String requestId) {
        Objects.requireNonNull(room, "room must not be null");
        Completions done = new Completions();
        CompletableFuture<Hand> future = requestId == null ? null : withPromotions(room, done, (r, promotions, now) -> {
            RoomPromotions.PendingHand pending = promotions.pending(requestId);
            if (pending == null) {
                Hand decided = promotions.find(requestId);
                return decided == null ? null : CompletableFuture.completedFuture(decided);
            }
            CompletableFuture<Hand> waiter = new CompletableFuture<>();
            pending.waiters.add(waiter);
            // A waiter the caller gives up on (timeout, cancel) is forgotten at once.
            waiter.whenComplete((h, e) -> {
                if (e != null) {
                    rooms.inRoom(room, false, x -> pending.waiters.remove(waiter));
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
        return asModerator(room, moderator, (r, promotions, now, done) ->
                new PromotionResult.Done(promotions.pendingHands()));
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
        return asModerator(room, moderator, (r, promotions, now, done) -> {
            // Check every id before changing anything: all or nothing.
            for (String id : ids) {
                RoomPromotions.PendingHand pending = promotions.pending(id);
                if (pending == null) {
                    Hand decided = promotions.find(id);
                    return decided == null ? unknownRequest(room, id)
                            : refused(PromotionError.UNKNOWN_REQUEST, "hand " + id + " is no longer pending (it is "
                            + decided.state() + ")");
                }
                if (allow && isSelf(moderator, pending.hand)) {
                    return refused(PromotionError.SELF_APPROVAL, "a moderator cannot approve its own hand");
                }
            }
            if (allow && !tickets.hasRoom(ids.size())) {
                return ticketsFull();
            }
            List<Hand> out = new ArrayList<>(ids.size());
            for (String id : ids) {
                out.add(allow ? hands.approvePending(r, promotions, id, now, done)
                        : hands.finish(promotions, id, HandState.DENIED, PromotionReason.MODERATOR_DENIED, now, done));
            }
            return new PromotionResult.Done(out);
        });
    }

    @Override
    public PromotionResult approveAll(EntityBareJid room, Identity moderator) {
        return asModerator(room, moderator, (r, promotions, now, done) -> {
            List<Hand> out = new ArrayList<>();
            for (Hand hand : promotions.pendingHands()) {
                if (!isSelf(moderator, hand)) {
                    out.add(hands.approvePending(r, promotions, hand.requestId(), now, done));
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
        return asModerator(room, moderator, (r, promotions, now, done) -> {
            if (!r.vacate(memberKey)) {
                return refused(PromotionError.NOT_IN_MAIN, memberKey + " is not in the main room of " + room);
            }
            tickets.revoke(promotions, memberKey);
            promotions.demote(memberKey, now + demotionNanos);
            hands.emit(new PromotionEvent.Demoted(r.jid(), memberKey));
            log.info("{} demoted {} in {}", moderator.memberKey().orElse("a moderator"), memberKey, room);
            return new PromotionResult.Done(List.of());
        });
    }

    @FunctionalInterface
    private interface ModeratorAction {
        PromotionResult apply(Room room, RoomPromotions promotions, long now, Completions done);
    }

    private PromotionResult asModerator(EntityBareJid room, Identity moderator, ModeratorAction action) {
        Objects.requireNonNull(room, "room must not be null");
        Objects.requireNonNull(moderator, "moderator must not be null");
        RoomFacts facts = rooms.factsFor(room);
        if (!moderator.moderator() && !facts.isModerator(moderator.userId(), moderator.groupId())) {
            return refused(PromotionError.NOT_MODERATOR, "only a moderator of " + room + " can do this");
        }
        Completions done = new Completions();
        PromotionResult result = rooms.inRoom(room, true, r -> {
            long now = ticker.read();
            RoomPromotions promotions = r.promotions();
            hands.expire(promotions, now, done);
            return action.apply(r, promotions, now, done);
        });
        done.run();
        return result != null ? result : noRoom(room);
    }

    @FunctionalInterface
    private interface VisitorAction<T> {
        T apply(Room room, RoomPromotions promotions, long now);
    }

    /** Runs a visitor's action on a room that has promotion state; null when it has none. */
    private <T> T withPromotions(EntityBareJid room, Completions done, VisitorAction<T> action) {
        return rooms.inRoom(room, false, r -> {
            RoomPromotions promotions = r.promotionsIfAny();
            if (promotions == null) {
                return null;
            }
            long now = ticker.read();
            hands.expire(promotions, now, done);
            return action.apply(r, promotions, now);
        });
    }

    private static boolean isSelf(Identity moderator, Hand hand) {
        return moderator.memberKey().map(hand.memberKey()::equals).orElse(false)
                || (hand.userId().isPresent() && hand.userId().equals(moderator.userId()));
    }

    private static PromotionResult ticketsFull() {
        return refused(PromotionError.CAPACITY, "the server holds admission.promotion.max-tickets tickets; try again"
                + " when some have been used or expired");
    }

    private static PromotionResult noRoom(EntityBareJid room) {
        return refused(PromotionError.CAPACITY, "no room for " + room + ": admission.limits.max-rooms is reached");
    }

    private static PromotionResult done(Hand hand) {
        return new PromotionResult.Done(List.of(hand));
    }

    private static PromotionResult refused(PromotionError error, String message) {
        return new PromotionResult.Refused(error, message);
    }

    private static PromotionResult unknownRequest(EntityBareJid room, String id) {
        return refused(PromotionError.UNKNOWN_REQUEST, "no hand '" + id + "' in " + room);
    }
}

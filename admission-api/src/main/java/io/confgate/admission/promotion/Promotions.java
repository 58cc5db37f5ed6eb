package io.confgate.admission.promotion;

import io.confgate.admission.Identity;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jxmpp.jid.EntityBareJid;

/**
 * Promotion of visitors to the main room. Thread-safe; every call for a room runs under that room's
 * lock in the engine, so an approval and the ticket's use are never half-applied.
 *
 * <p>Moderators: a caller is a moderator of a room when its identity's {@link Identity#moderator()} flag
 * is set, or its user or group id is on the room's moderator list ({@link
 * io.confgate.admission.RoomFacts#moderators()}). The flag is trusted as given, so set it only from a
 * verified token.
 *
 * <p>Listeners ({@link io.confgate.admission.event.PromotionListener}) hear every raised, lowered and
 * decided hand and every demotion; a focus forwards pending hands to the room's moderators from there.
 */
public interface Promotions {

    /**
     * Raises a hand. Approved at once in automatic mode or for a moderator requester; otherwise pending.
     * Raising again while a hand of the same visitor is pending returns that hand.
     *
     * @return {@code Done} with the hand, or {@code Refused} ({@link PromotionError#NO_IDENTITY},
     *         {@link PromotionError#ALREADY_IN_MAIN}, {@link PromotionError#UNKNOWN_NODE},
     *         {@link PromotionError#TOO_MANY_PENDING}, {@link PromotionError#RATE_LIMITED})
     */
    PromotionResult raiseHand(PromotionRequest request);

    /** Lowers a pending hand; only the visitor that raised it can ({@link PromotionError#NOT_YOUR_REQUEST}). */
    PromotionResult lowerHand(EntityBareJid room, String requestId, Identity visitor);

    /** A hand's current state: pending, or decided while its outcome is still remembered (a ticket lifetime). */
    Optional<Hand> status(EntityBareJid room, String requestId);

    /**
     * Completes with the hand once it is decided (or withdrawn, or expired); at once if it already is.
     * Completes exceptionally with {@link java.util.NoSuchElementException} for an unknown hand. Callers
     * bound the wait themselves (e.g. {@code orTimeout}); a future completed or cancelled by the caller
     * is forgotten.
     */
    CompletableFuture<Hand> awaitDecision(EntityBareJid room, String requestId);

    /** The pending hands of a room, oldest first (moderators only). */
    PromotionResult pending(EntityBareJid room, Identity moderator);

    /**
     * Approves these hands, each issuing a ticket. All or nothing: if any id is not pending in this room,
     * nothing is approved ({@link PromotionError#UNKNOWN_REQUEST}).
     */
    PromotionResult approve(EntityBareJid room, Identity moderator, Collection<String> requestIds);

    /** Denies these hands; all or nothing, as {@link #approve}. */
    PromotionResult deny(EntityBareJid room, Identity moderator, Collection<String> requestIds);

    /** Approves every hand pending in the room at this instant (possibly none). */
    PromotionResult approveAll(EntityBareJid room, Identity moderator);

    /**
     * Demotes a main participant: its seat is freed at once, any ticket it holds is void, and its
     * requests go to a visitor node for {@link PromotionConfig#demotionLifetime()}. The focus moves the
     * participant out on hearing the {@link io.confgate.admission.event.PromotionEvent.Demoted} event.
     */
    PromotionResult demote(EntityBareJid room, Identity moderator, String memberKey);
}

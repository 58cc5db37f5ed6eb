package io.confgate.admission.promotion;

/** Why a hand is in its state; stable names, fit for metrics labels and logs. */
public enum PromotionReason {
    /** Waiting for a moderator. */
    AWAITING_MODERATOR,
    /** Automatic promotion is on (globally or for the room). */
    AUTO_ALLOWED,
    /** The requester is a moderator (verified token, or on the room's moderator list). */
    REQUESTER_IS_MODERATOR,
    /** A moderator approved it. */
    MODERATOR_APPROVED,
    /** A moderator denied it. */
    MODERATOR_DENIED,
    /** The visitor lowered the hand. */
    HAND_LOWERED,
    /** The visitor left the conference. */
    VISITOR_LEFT,
    /** Nobody decided within the pending lifetime. */
    PENDING_EXPIRED,
    /** The room was destroyed. */
    ROOM_DESTROYED
}

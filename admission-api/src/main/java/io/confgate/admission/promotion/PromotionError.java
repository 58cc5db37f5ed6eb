package io.confgate.admission.promotion;

/** Why a promotion call was refused; nothing was changed. */
public enum PromotionError {
    /** The caller is not a moderator of the room. */
    NOT_MODERATOR,
    /** A moderator tried to decide its own hand. */
    SELF_APPROVAL,
    /** No hand with this id is pending (or known) in this room. */
    UNKNOWN_REQUEST,
    /** The hand belongs to another visitor. */
    NOT_YOUR_REQUEST,
    /** The member to demote is not in the main room. */
    NOT_IN_MAIN,
    /** The requester is already in the main room. */
    ALREADY_IN_MAIN,
    /** The requester has no session id, machine uid or user id to bind a ticket to. */
    NO_IDENTITY,
    /** The named visitor node is not configured. */
    UNKNOWN_NODE,
    /** The room already has {@code max-pending-per-room} hands waiting. */
    TOO_MANY_PENDING,
    /** The visitor raised more than {@code max-requests-per-visitor-per-minute} hands this minute. */
    RATE_LIMITED,
    /** A server-wide bound is reached ({@code max-hands}, {@code max-tickets}, {@code max-rooms}): try later. */
    CAPACITY
}

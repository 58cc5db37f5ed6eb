package io.confgate.admission;

/**
 * What became of the promotion ticket a join request carried (or of the approval its identity holds).
 * A ticket that does not check out leaves the ordinary placement in place; this says why.
 */
public enum TicketCheck {
    /** No ticket was presented and the identity holds no approval for this room. */
    NONE,
    /** A valid ticket was used up: the member is placed in the main room. */
    REDEEMED,
    /** The ticket is not known (never issued, dropped with its room, or long expired). */
    UNKNOWN,
    /** The ticket's lifetime is over. */
    EXPIRED,
    /** The ticket was already used. */
    ALREADY_USED,
    /** The ticket admits to another room. */
    OTHER_ROOM,
    /** The ticket is bound to another visitor. */
    OTHER_IDENTITY,
    /** The ticket is valid but the request was placed without it (e.g. it asked to be a visitor); it is kept. */
    NOT_NEEDED
}

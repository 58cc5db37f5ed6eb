package io.confgate.admission.core.internal;

/**
 * A place held in a room for a member who has not joined yet: a main seat, or a redirect to a visitor
 * node. A member holds at most one place per room (the room keys its holds by member).
 */
sealed interface Hold permits Hold.Seat, Hold.Redirect {

    /** When the place is given back unless the join is reported ({@link io.confgate.admission.Ticker} nanos). */
    long deadline();

    /**
     * A seat in the main room, first given at {@code since}: a renewal (the member asking again) moves the
     * deadline, not {@code since}, so a link's wait for the seat ({@code admission.link.seat-grace}) has an end.
     */
    record Seat(long deadline, long since) implements Hold {
    }

    /** A redirect to a node; the node's place was taken when the redirect was made. */
    record Redirect(NodeSlot node, long deadline) implements Hold {
    }
}

package io.confgate.admission.promotion;

/** Where a raised hand stands. Every state but {@link #PENDING} is final. */
public enum HandState {
    /** Waiting for a moderator. */
    PENDING,
    /** Approved: the hand carries a ticket. */
    APPROVED,
    /** A moderator said no. */
    DENIED,
    /** The visitor lowered the hand, or left. */
    WITHDRAWN,
    /** Nobody decided within the pending lifetime, or the room was destroyed. */
    EXPIRED;

    /** Whether the hand is decided or gone. */
    public boolean isFinal() {
        return this != PENDING;
    }
}

package io.confgate.admission;

/** What the engine did with a reported occupancy event. Ignored events change no count. */
public enum EventResult {
    /** The event changed the counts. */
    APPLIED,
    /** No such room is tracked (never asked about, or already destroyed). */
    IGNORED_UNKNOWN_ROOM,
    /** The node id is not configured. */
    IGNORED_UNKNOWN_NODE,
    /** A leave for a member that is not in (that part of) the room. */
    IGNORED_NOT_JOINED,
    /** A join for a member already counted there. */
    IGNORED_DUPLICATE,
    /** A join for a room the engine cannot track: {@code admission.limits.max-rooms} is reached. */
    IGNORED_CAPACITY;

    public boolean applied() {
        return this == APPLIED;
    }
}

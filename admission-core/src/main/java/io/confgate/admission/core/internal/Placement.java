package io.confgate.admission.core.internal;

/**
 * A place held for a member who has not joined yet: a main seat ({@code slot == null}) or a redirect to
 * a node. Stored in a Caffeine cache under {@link Key}; whoever removes it live gives the place back.
 */
record Placement(RoomState room, NodeSlot slot) {

    /** Identity of the room state (not its JID), so a re-created room never sees an old placement. */
    record Key(RoomState room, String memberKey) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.room == room && k.memberKey.equals(memberKey);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(room) * 31 + memberKey.hashCode();
        }
    }

    /** Gives the held place back: a seat to the room, or a pending redirect to the room and node. */
    void release() {
        if (slot == null) {
            room.reservedSeats.decrementAndGet();
        } else {
            room.pendingPerNode.decrementAndGet(slot.index);
            slot.release();
        }
    }
}

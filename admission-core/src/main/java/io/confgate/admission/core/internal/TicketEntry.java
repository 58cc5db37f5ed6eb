package io.confgate.admission.core.internal;

import java.util.Optional;

/**
 * A ticket as the engine keeps it. Bound to the {@link Room} object, so a room destroyed and
 * created again never honours an old ticket. {@code used} is written under the room's lock and read
 * without it only to name why another room's ticket does not apply.
 */
final class TicketEntry {
    final String id;
    final Room room;
    final String memberKey;
    final Optional<String> userId;
    final long expiresAtNanos;
    volatile boolean used;

    TicketEntry(String id, Room room, String memberKey, Optional<String> userId, long expiresAtNanos) {
        this.id = id;
        this.room = room;
        this.memberKey = memberKey;
        this.userId = userId;
        this.expiresAtNanos = expiresAtNanos;
    }

    boolean liveAt(long now) {
        return !used && now - expiresAtNanos < 0;
    }
}

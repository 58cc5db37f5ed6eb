package io.confgate.admission;

import org.jxmpp.jid.EntityBareJid;

/**
 * SPI: the focus's view of a room's facts. Called once per decision that does not carry its own facts,
 * outside any engine lock; it must be fast and must not block on the network.
 */
@FunctionalInterface
public interface RoomFactsSource {

    /** The facts for this room; {@link RoomFacts#unknown()} when the focus knows nothing. */
    RoomFacts factsFor(EntityBareJid room);

    /** A source that knows nothing about any room. */
    static RoomFactsSource unknownRooms() {
        return room -> RoomFacts.unknown();
    }
}

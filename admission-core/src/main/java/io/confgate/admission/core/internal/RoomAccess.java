package io.confgate.admission.core.internal;

import io.confgate.admission.RoomFacts;
import java.util.function.Function;
import org.jxmpp.jid.EntityBareJid;

/** What promotion needs of the rooms: run under one room's lock, the room's facts, the node ids. */
interface RoomAccess {

    /**
     * Runs {@code action} on the room under its lock, after expiring its places. The room is created if
     * {@code create} (unless {@code admission.limits.max-rooms} rooms exist); an unknown room that is not
     * created gives null without running anything.
     */
    <T> T inRoom(EntityBareJid room, boolean create, Function<Room, T> action);

    /** What the focus knows about the room (never null). */
    RoomFacts factsFor(EntityBareJid room);

    /** Whether a visitor node has this id. */
    boolean hasNode(String nodeId);
}

package io.confgate.admission.http.internal;

import io.confgate.admission.JoinRequest;
import java.util.concurrent.ConcurrentHashMap;
import org.jxmpp.jid.EntityBareJid;

/**
 * Room JIDs by the text clients send. A busy room is parsed once, and every request for it then carries
 * the same JID instance, which the engine's room map matches by identity instead of comparing strings.
 * Text that is not a valid room JID is never kept: each such request is parsed, and refused, anew.
 *
 * <p>Bounded the simplest way: when it holds {@code maximumRooms} texts it is emptied, and the rooms in
 * use are parsed again once each. A flood of distinct names thus costs at most that many entries, and a
 * look-up is a plain map read that writes no shared memory, where a bounded cache records every read
 * for its eviction policy: work this path, read for every request, does not need.
 */
public final class RoomJids {
    private final int maximumRooms;
    private final ConcurrentHashMap<String, EntityBareJid> byText = new ConcurrentHashMap<>();

    public RoomJids(int maximumRooms) {
        if (maximumRooms < 1) {
            throw new IllegalArgumentException("maximumRooms must be positive: " + maximumRooms);
        }
        this.maximumRooms = maximumRooms;
    }

    /**
     * The room JID for {@code text}.
     *
     * @throws IllegalArgumentException with the reason, for text that is not a room JID
     */
    public EntityBareJid parse(String text) {
        EntityBareJid room = byText.get(text);
        if (room == null) {
            room = JoinRequest.parseRoom(text);
            if (byText.mappingCount() >= maximumRooms) {
                byText.clear();
            }
            byText.put(text, room);
        }
        return room;
    }

    /** How many texts are kept now; at most {@code maximumRooms}, give or take racing inserts. */
    int size() {
        return byText.size();
    }
}

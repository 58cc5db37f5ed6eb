package io.confgate.admission.http.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.confgate.admission.JoinRequest;
import org.jxmpp.jid.EntityBareJid;

/**
 * Room JIDs by the text clients send. A busy room is parsed once, and every request for it then carries
 * the same JID instance, which the engine's room map matches by identity instead of comparing strings.
 * Text that is not a valid room JID is never cached: each such request is parsed, and refused, anew.
 * Bounded, so a flood of distinct room names costs memory no longer than it lasts.
 */
public final class RoomJids {
    private final Cache<String, EntityBareJid> byText;

    public RoomJids(long maximumRooms) {
        // Maintenance on the caller: an eviction is a few map operations, not worth a thread hop.
        this.byText = Caffeine.newBuilder().maximumSize(maximumRooms).executor(Runnable::run).build();
    }

    /**
     * The room JID for {@code text}.
     *
     * @throws IllegalArgumentException with the reason, for text that is not a room JID
     */
    public EntityBareJid parse(String text) {
        EntityBareJid room = byText.getIfPresent(text);
        if (room == null) {
            room = JoinRequest.parseRoom(text);
            byText.put(text, room);
        }
        return room;
    }
}

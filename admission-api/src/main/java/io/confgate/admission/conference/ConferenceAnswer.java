package io.confgate.admission.conference;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to a {@link ConferenceRequest}, the same for HTTP and XMPP (Jicofo's response
 * {@code ConferenceIq} / {@code ConferenceRequest}).
 *
 * @param room       the room
 * @param ready      false while the client must wait and ask again (a live-gated room, {@code live=false})
 * @param focusJid   the focus to talk to: the main one, or the node's for a visitor
 * @param sessionId  echoed from the request
 * @param vnode      the visitor node, when redirected
 * @param properties answer properties, in the order they are written
 */
public record ConferenceAnswer(String room, boolean ready, String focusJid, Optional<String> sessionId,
                               Optional<String> vnode, Map<String, String> properties) {
    public ConferenceAnswer {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(focusJid, "focusJid");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(vnode, "vnode");
        Objects.requireNonNull(properties, "properties");
    }
}

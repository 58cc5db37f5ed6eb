package io.confgate.admission.http.internal;

import io.confgate.admission.JoinRequest;
import java.util.Locale;
import org.eclipse.jetty.http.HttpStatus;
import org.jxmpp.jid.EntityBareJid;

/**
 * The {@code ?room=} of a request, which a room-sharding proxy routes on (README, *Running several shards*): it
 * must name the room the request is about, and be written so the proxy's normalisation (percent-decoding, ASCII
 * lower case, the part before {@code @}) gives what the server's preparation (PRECIS, as Prosody prepares room
 * names) gives. Otherwise one room's requests would be hashed to two shards, each holding a copy of its counts.
 * It may be the room's local part ({@code townhall}, as jitsi-meet and JaaS write it) or its address.
 */
public final class RoomQuery {
    /** The refusal's code: the query and the body name different rooms, or the query is spelled otherwise. */
    public static final String MISMATCH = "ROOM_MISMATCH";

    private RoomQuery() {
    }

    /**
     * Checks {@code query} (the decoded {@code ?room=}) against {@code room} (the request's room, prepared).
     *
     * @throws Refusal 400 {@value #MISMATCH}, saying which rooms and how to write it
     */
    public static void check(String query, EntityBareJid room) throws Refusal {
        String local = query.indexOf('@') < 0 ? query : query.substring(0, query.indexOf('@'));
        String prepared;
        try {
            prepared = JoinRequest.parseRoom(local + "@" + room.getDomain()).getLocalpart().toString();
        } catch (IllegalArgumentException e) {
            throw new Refusal(HttpStatus.BAD_REQUEST_400, MISMATCH, "the query's room '" + query
                    + "' is not a valid room name");
        }
        String roomLocal = room.getLocalpart().toString();
        if (!prepared.equals(roomLocal) || (query.indexOf('@') >= 0
                && !JoinRequest.parseRoom(query).equals(room))) {
            throw new Refusal(HttpStatus.BAD_REQUEST_400, MISMATCH, "the query names room '" + query
                    + "' and the request room '" + room + "': one request, one room (a sharding proxy routes on the"
                    + " query)");
        }
        if (!local.toLowerCase(Locale.ROOT).equals(prepared)) {
            throw new Refusal(HttpStatus.BAD_REQUEST_400, MISMATCH, "the query's room '" + query + "' is room '"
                    + room + "' written otherwise than a proxy hashing the lower-cased query can tell: write"
                    + " ?room=" + prepared);
        }
    }
}

package io.confgate.admission.http.internal;

import io.confgate.admission.JoinRequest;
import org.eclipse.jetty.http.HttpStatus;
import org.jxmpp.jid.DomainBareJid;
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
     * Checks {@code query} (the decoded {@code ?room=}) against {@code room} (the request's room, prepared). For a
     * room outside {@code mainService} (breakout, lobby) a bare room name is its main room's and is not compared.
     *
     * @throws Refusal 400 {@value #MISMATCH}, saying which rooms and how to write it
     */
    public static void check(String query, EntityBareJid room, DomainBareJid mainService) throws Refusal {
        if (!room.getDomain().equals(mainService) && query.indexOf('@') < 0) {
            // A breakout or lobby room: jitsi-meet sends its conference request to the URL with the main room's
            // ?room= (lib-jitsi-meet reuses the connection), which is where a sharding proxy should send it.
            return;
        }
        String local = query.indexOf('@') < 0 ? query : query.substring(0, query.indexOf('@'));
        String prepared;
        boolean sameRoom;
        try {
            prepared = JoinRequest.parseRoom(local + "@" + room.getDomain()).getLocalpart().toString();
            sameRoom = prepared.equals(room.getLocalpart().toString())
                    && (query.indexOf('@') < 0 || JoinRequest.parseRoom(query).equals(room));
        } catch (IllegalArgumentException e) {
            throw new Refusal(HttpStatus.BAD_REQUEST_400, MISMATCH, "the query's room '" + query
                    + "' is not a valid room name or address");
        }
        if (!sameRoom) {
            throw new Refusal(HttpStatus.BAD_REQUEST_400, MISMATCH, "the query names room '" + query
                    + "' and the request room '" + room + "': one request, one room (a sharding proxy routes on the"
                    + " query)");
        }
        if (!asciiLower(local).equals(prepared)) {
            throw new Refusal(HttpStatus.BAD_REQUEST_400, MISMATCH, "the query's room '" + query + "' is room '"
                    + room + "' written otherwise than a proxy hashing the lower-cased query can tell: write"
                    + " ?room=" + prepared);
        }
    }

    /** What HAProxy's {@code lower} does: ASCII letters only, every other byte as it is. */
    static String asciiLower(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return out.toString();
    }
}

package io.confgate.admission;

/** Why a decision came out as it did; stable names, fit for metrics labels and logs. */
public enum Reason {
    /** Visitors are disabled in configuration. */
    VISITORS_DISABLED,
    /** The visitors component is not known or not reachable yet, so nobody is redirected. */
    VISITORS_UNAVAILABLE,
    /** The room has its lobby on. */
    LOBBY,
    /** The room is a breakout room. */
    BREAKOUT,
    /** The room's visitors flag is off, or required and absent. */
    ROOM_VISITORS_OFF,
    /** A recorder, transcriber, SIP gateway or ignore-listed domain: main room, never counted. */
    IGNORED_MEMBER,
    /** The client cannot be a visitor. */
    NO_VISITOR_SUPPORT,
    /** The client asked to be a visitor. */
    VISITOR_REQUESTED,
    /** The user or group is on the room's moderator or participant list. */
    ALLOWED_LIST,
    /** The room has a participant list and the client is not on it: a visitor even below the limit. */
    NOT_ALLOWED,
    /** The member already holds a seat or is already in the main room (a repeated request). */
    SEAT_HELD,
    /** The conference already has visitors, so later joiners are visitors too. */
    STICKY_VISITORS,
    /** The main room is below its limit; a seat was reserved. */
    UNDER_LIMIT,
    /** The main room is at or over its limit. */
    ROOM_FULL,
    /** The room is not live yet (live-room gating). */
    NOT_LIVE,
    /** No healthy visitor node exists; the configured fallback applied. */
    NO_NODE,
    /** The member carried a valid promotion ticket (or holds an approval): main room even when full. */
    PROMOTED,
    /** A moderator demoted the member: visitor node for the demotion lifetime. */
    DEMOTED,
    /**
     * A server-wide bound is reached ({@code admission.limits.max-rooms} or {@code max-held-places}): the
     * request is refused (HTTP 503) and nothing is held.
     */
    CAPACITY
}

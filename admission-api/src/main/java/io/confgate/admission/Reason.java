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
    /**
     * A visitor node is connected to the conference, or about to be: Jitsi's {@code mod_visitors_component}
     * then refuses main-room joins that were not promoted, so a joiner the limit would let in is a visitor
     * (unless {@code admission.visitors-component.auto-allow-visitor-promotion}).
     */
    NODE_CONNECTED,
    /** The main room is below its limit; a seat was reserved. */
    UNDER_LIMIT,
    /** The main room is at or over its limit. */
    ROOM_FULL,
    /** The room is not live yet (live-room gating). */
    NOT_LIVE,
    /**
     * The visitor's node is not connected to the conference yet and already holds
     * {@code admission.link.max-waiting-visitors} of its visitors in its pre-join queue: the client is answered
     * {@code ready: false} and asks again by itself.
     */
    LINK_PENDING,
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

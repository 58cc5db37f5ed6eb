package io.confgate.admission.conference;

import java.util.Objects;
import java.util.Optional;

/**
 * What a Jitsi token says about its bearer.
 *
 * @param userId    {@code context.user.id}
 * @param groupId   {@code context.group}
 * @param moderator {@code context.user.moderator} (or a top-level {@code moderator}) is true
 * @param verified  the signature and time claims were checked against a configured key
 * @param room      the {@code room} claim: the room name the token is for, {@code *} for any (Jitsi's
 *                  tokens scope a moderator this way); empty when the token has none
 */
public record TokenClaims(Optional<String> userId, Optional<String> groupId, boolean moderator, boolean verified,
                         Optional<String> room) {
    private static final TokenClaims NONE = new TokenClaims(Optional.empty(), Optional.empty(), false, false,
            Optional.empty());

    public TokenClaims {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(room, "room");
    }

    /** Claims of a token without a {@code room} claim. */
    public TokenClaims(Optional<String> userId, Optional<String> groupId, boolean moderator, boolean verified) {
        this(userId, groupId, moderator, verified, Optional.empty());
    }

    /**
     * Whether the token's {@code room} claim covers the room named {@code roomName} (its local part): no claim
     * or {@code *} covers any room, else the names must match, case aside.
     */
    public boolean coversRoom(String roomName) {
        return room.isEmpty() || room.get().equals("*") || room.get().equalsIgnoreCase(roomName);
    }

    /** No token, or one that is ignored. */
    public static TokenClaims none() {
        return NONE;
    }
}

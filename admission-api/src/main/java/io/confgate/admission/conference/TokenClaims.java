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
 */
public record TokenClaims(Optional<String> userId, Optional<String> groupId, boolean moderator, boolean verified) {
    private static final TokenClaims NONE = new TokenClaims(Optional.empty(), Optional.empty(), false, false);

    public TokenClaims {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(groupId, "groupId");
    }

    /** No token, or one that is ignored. */
    public static TokenClaims none() {
        return NONE;
    }
}

package io.confgate.admission.xmpp;

import java.util.Objects;
import java.util.Optional;

/**
 * Reads the {@code token} attribute of a conference IQ, so an XMPP request is placed with the same
 * identity as an HTTP request carrying that token as its Bearer header. The standalone server passes
 * its HTTP token reader; a focus passes its own.
 */
@FunctionalInterface
public interface ConferenceTokens {

    /**
     * The bearer of {@code token}.
     *
     * @throws Refused when the token is not acceptable (bad signature, expired, ...); the message goes to the client
     */
    Bearer read(String token) throws Refused;

    /** Tokens are not read: every conference IQ is placed by its session and address only. */
    static ConferenceTokens ignored() {
        return token -> Bearer.NONE;
    }

    /**
     * What a token says about its bearer.
     *
     * @param userId    {@code context.user.id}
     * @param groupId   {@code context.group}
     * @param moderator the token's moderator claim
     */
    record Bearer(Optional<String> userId, Optional<String> groupId, boolean moderator) {
        static final Bearer NONE = new Bearer(Optional.empty(), Optional.empty(), false);

        public Bearer {
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(groupId, "groupId");
        }
    }

    /** A token that is refused; answered {@code not-authorized} with this message. */
    final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message, null, false, false);
        }
    }
}

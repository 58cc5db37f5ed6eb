package io.confgate.admission;

import java.util.Objects;
import java.util.Optional;
import org.jxmpp.jid.Jid;

/**
 * Who is asking to join, as far as the focus knows.
 *
 * @param userId     the user id a token claims ({@code context.user.id})
 * @param groupId    the group a token claims ({@code context.group})
 * @param moderator  whether a token claims moderator rights
 * @param machineUid the client's machine uid (conference request {@code machineUid})
 * @param sessionId  the client's session id (conference request {@code sessionId})
 * @param address    the requester's XMPP address, when the request arrived over XMPP; its domain is
 *                   matched against the ignore list (recorders, transcribers)
 */
public record Identity(
        Optional<String> userId,
        Optional<String> groupId,
        boolean moderator,
        Optional<String> machineUid,
        Optional<String> sessionId,
        Optional<Jid> address) {

    private static final Identity ANONYMOUS = new Identity(
            Optional.empty(), Optional.empty(), false, Optional.empty(), Optional.empty(), Optional.empty());

    public Identity {
        userId = nonBlank(userId, "userId");
        groupId = nonBlank(groupId, "groupId");
        machineUid = nonBlank(machineUid, "machineUid");
        sessionId = nonBlank(sessionId, "sessionId");
        Objects.requireNonNull(address, "address must not be null (use Optional.empty())");
    }

    /** An identity with nothing known about the requester. */
    public static Identity anonymous() {
        return ANONYMOUS;
    }

    /** An identity known only by its session id (a visitor without a token, say). */
    public static Identity ofSession(String sessionId) {
        return new Identity(Optional.empty(), Optional.empty(), false, Optional.empty(),
                Optional.of(Objects.requireNonNull(sessionId, "sessionId")), Optional.empty());
    }

    /**
     * The key under which the engine tracks this member's seat or redirect until the join is reported:
     * the session id, else the machine uid, else the user id.
     */
    public Optional<String> memberKey() {
        if (sessionId.isPresent()) {
            return sessionId;
        }
        if (machineUid.isPresent()) {
            return machineUid;
        }
        return userId;
    }

    private static Optional<String> nonBlank(Optional<String> value, String name) {
        Objects.requireNonNull(value, () -> name + " must not be null (use Optional.empty())");
        // A blank claim is the same as no claim: it must never match a list entry or key a seat.
        return value.filter(v -> !v.isBlank());
    }
}

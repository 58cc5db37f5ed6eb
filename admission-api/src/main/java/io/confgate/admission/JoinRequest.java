package io.confgate.admission;

import java.util.Objects;
import java.util.Optional;
import org.jxmpp.JxmppContext;
import org.jxmpp.stringprep.rocksxmppprecis.RocksXmppPrecisStringprep;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * One request to join a conference, as the focus received it (conference IQ or
 * {@code POST /conference-request/v1}).
 *
 * @param room             the conference room
 * @param identity         who is asking
 * @param supportsVisitors the client can be a visitor (it sent the {@code visitors-version} property)
 * @param visitorRequested the client asks to join as a visitor ({@code visitor=true})
 * @param kind             what kind of member this is
 * @param roomFacts        facts supplied with the request; when empty the engine asks its
 *                         {@link RoomFactsSource}
 * @param promotionTicket  the {@link io.confgate.admission.promotion.PromotionTicket#id()} the client
 *                         presents, if any
 */
public record JoinRequest(
        EntityBareJid room,
        Identity identity,
        boolean supportsVisitors,
        boolean visitorRequested,
        MemberKind kind,
        Optional<RoomFacts> roomFacts,
        Optional<String> promotionTicket) {

    public JoinRequest {
        Objects.requireNonNull(room, "room must not be null");
        Objects.requireNonNull(identity, "identity must not be null");
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(roomFacts, "roomFacts must not be null (use Optional.empty())");
        promotionTicket = Objects.requireNonNull(promotionTicket, "promotionTicket must not be null (use Optional.empty())")
                .filter(t -> !t.isBlank());
    }

    /**
     * Room addresses are prepared as an XMPP server prepares them (PRECIS, RFC 7622, through jxmpp's
     * rocks.xmpp binding): Prosody takes {@code ｄｅｍｏ} (full-width letters) for {@code demo}, so the engine
     * must count them as one room; text that cannot be prepared (a zero-width space, say) is refused. Without
     * jxmpp's default cache: it keeps parsed parts behind one synchronized LRU map, which serializes every
     * request of a busy server on one monitor (callers keep their own cache of parsed rooms).
     */
    private static final JxmppContext UNCACHED = JxmppContext.builder()
            .withXmppStringprep(RocksXmppPrecisStringprep.INSTANCE)
            .build();

    /** A builder for a request to this room. */
    public static Builder builder(EntityBareJid room) {
        return new Builder(Objects.requireNonNull(room, "room must not be null"));
    }

    /**
     * A builder for a request to the room with this address.
     *
     * @throws IllegalArgumentException if the address is blank or not a valid bare room JID
     */
    public static Builder builder(String room) {
        return new Builder(parseRoom(room));
    }

    /**
     * Parses a room address such as {@code myroom@conference.meet.jitsi}.
     *
     * @throws IllegalArgumentException naming the reason when it is blank or not a bare entity JID
     */
    public static EntityBareJid parseRoom(String room) {
        if (room == null || room.isBlank()) {
            throw new IllegalArgumentException("room must be a non-blank JID such as name@conference.example.com");
        }
        // jxmpp accepts a second '@' in the domain part; a room address never has one, nor a resource.
        int at = room.indexOf('@');
        if (at <= 0 || at != room.lastIndexOf('@') || room.indexOf('/') >= 0) {
            throw invalidRoom(room);
        }
        try {
            return JidCreate.entityBareFrom(room, UNCACHED);
        } catch (XmppStringprepException | IllegalArgumentException e) {
            throw invalidRoom(room);
        }
    }

    private static IllegalArgumentException invalidRoom(String room) {
        String shown = room.length() > 80 ? room.substring(0, 80) + "…" : room;
        return new IllegalArgumentException("room '" + shown
                + "' is not a valid room JID such as name@conference.example.com");
    }

    /** Mutable builder for {@link JoinRequest}; the identity fields are set one by one. */
    public static final class Builder {
        private final EntityBareJid room;
        private Optional<String> userId = Optional.empty();
        private Optional<String> groupId = Optional.empty();
        private boolean moderator;
        private Optional<String> machineUid = Optional.empty();
        private Optional<String> sessionId = Optional.empty();
        private Optional<Jid> address = Optional.empty();
        private boolean supportsVisitors = true;
        private boolean visitorRequested;
        private MemberKind kind = MemberKind.NORMAL;
        private Optional<RoomFacts> roomFacts = Optional.empty();
        private Optional<String> promotionTicket = Optional.empty();

        private Builder(EntityBareJid room) {
            this.room = room;
        }

        public Builder userId(String value) {
            this.userId = Optional.ofNullable(value);
            return this;
        }

        public Builder groupId(String value) {
            this.groupId = Optional.ofNullable(value);
            return this;
        }

        public Builder moderator(boolean value) {
            this.moderator = value;
            return this;
        }

        public Builder machineUid(String value) {
            this.machineUid = Optional.ofNullable(value);
            return this;
        }

        public Builder sessionId(String value) {
            this.sessionId = Optional.ofNullable(value);
            return this;
        }

        public Builder address(Jid value) {
            this.address = Optional.ofNullable(value);
            return this;
        }

        /** Whether the client supports visitors; true by default, as every current client does. */
        public Builder supportsVisitors(boolean value) {
            this.supportsVisitors = value;
            return this;
        }

        public Builder visitorRequested(boolean value) {
            this.visitorRequested = value;
            return this;
        }

        public Builder kind(MemberKind value) {
            this.kind = Objects.requireNonNull(value, "kind must not be null");
            return this;
        }

        public Builder roomFacts(RoomFacts value) {
            this.roomFacts = Optional.of(Objects.requireNonNull(value, "roomFacts must not be null"));
            return this;
        }

        /** The promotion ticket the client presents; null or blank for none. */
        public Builder promotionTicket(String value) {
            this.promotionTicket = Optional.ofNullable(value);
            return this;
        }

        public Builder identity(Identity identity) {
            Objects.requireNonNull(identity, "identity must not be null");
            this.userId = identity.userId();
            this.groupId = identity.groupId();
            this.moderator = identity.moderator();
            this.machineUid = identity.machineUid();
            this.sessionId = identity.sessionId();
            this.address = identity.address();
            return this;
        }

        public JoinRequest build() {
            Identity identity = new Identity(userId, groupId, moderator, machineUid, sessionId, address);
            return new JoinRequest(room, identity, supportsVisitors, visitorRequested, kind, roomFacts,
                    promotionTicket);
        }
    }
}

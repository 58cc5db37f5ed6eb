package io.confgate.admission;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What the focus knows about a room that bears on placement. The library never reaches into XMPP for
 * these; the focus supplies them through a {@link RoomFactsSource} or on the {@link JoinRequest}.
 *
 * @param lobbyEnabled         the room has its lobby on: everyone goes to the main room (lobby)
 * @param breakoutRoom         the room is a breakout room: no visitors there
 * @param visitorsEnabled      the room's own visitors flag from its MUC config, when it has one
 * @param participantSoftLimit a per-room limit from room metadata, overriding max-participants
 * @param moderators           user or group ids from room metadata that are moderators
 * @param participants         user or group ids from room metadata that are main participants; empty when
 *                             the room has no such list (everyone may join the main room), present and
 *                             empty when it has one that names nobody (only moderators may). Jicofo's
 *                             {@code ChatRoomImpl.participants} makes the same difference between null and empty
 * @param live                 whether the room is live (only read with {@code enable-live-room})
 * @param autoAllowPromotion   the room's own automatic-promotion setting, overriding
 *                             {@link io.confgate.admission.promotion.PromotionConfig#autoAllow()}
 */
public record RoomFacts(
        boolean lobbyEnabled,
        boolean breakoutRoom,
        Optional<Boolean> visitorsEnabled,
        OptionalInt participantSoftLimit,
        Set<String> moderators,
        Optional<Set<String>> participants,
        boolean live,
        Optional<Boolean> autoAllowPromotion) {

    private static final RoomFacts UNKNOWN = new RoomFacts(
            false, false, Optional.empty(), OptionalInt.empty(), Set.of(), Optional.empty(), false, Optional.empty());

    public RoomFacts {
        Objects.requireNonNull(visitorsEnabled, "visitorsEnabled must not be null");
        Objects.requireNonNull(participantSoftLimit, "participantSoftLimit must not be null");
        if (participantSoftLimit.isPresent() && participantSoftLimit.getAsInt() < 0) {
            throw new IllegalArgumentException(
                    "participantSoftLimit must be >= 0, was " + participantSoftLimit.getAsInt());
        }
        moderators = Set.copyOf(Objects.requireNonNull(moderators, "moderators must not be null"));
        participants = Objects.requireNonNull(participants, "participants must not be null (use Optional.empty())")
                .map(Set::copyOf);
        Objects.requireNonNull(autoAllowPromotion, "autoAllowPromotion must not be null");
    }

    /** Facts for a room the focus knows nothing special about: no lobby, no flag, no lists, not live. */
    public static RoomFacts unknown() {
        return UNKNOWN;
    }

    /** A builder starting from {@link #unknown()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether this user or group id is on the room's moderator or participant list: such a client is never
     * redirected unless it asks to be (Jicofo {@code ChatRoomImpl.isPreferredInMainRoom}).
     */
    public boolean isListed(Optional<String> userId, Optional<String> groupId) {
        return listed(userId) || listed(groupId);
    }

    /**
     * Whether this client may join the main room at all: the room has no participant list, or the client
     * is listed (Jicofo {@code ChatRoomImpl.isAllowedInMainRoom}). A client that may not becomes a visitor
     * even below the limit.
     */
    public boolean isAllowedInMain(Optional<String> userId, Optional<String> groupId) {
        return participants.isEmpty() || isListed(userId, groupId);
    }

    /** Whether this user or group id is on the room's moderator list. */
    public boolean isModerator(Optional<String> userId, Optional<String> groupId) {
        return userId.map(moderators::contains).orElse(false) || groupId.map(moderators::contains).orElse(false);
    }

    private boolean listed(Optional<String> id) {
        return id.isPresent() && (moderators.contains(id.get())
                || participants.map(list -> list.contains(id.get())).orElse(false));
    }

    /** Mutable builder for {@link RoomFacts}. */
    public static final class Builder {
        private boolean lobbyEnabled;
        private boolean breakoutRoom;
        private Optional<Boolean> visitorsEnabled = Optional.empty();
        private OptionalInt participantSoftLimit = OptionalInt.empty();
        private Set<String> moderators = Set.of();
        private Optional<Set<String>> participants = Optional.empty();
        private boolean live;
        private Optional<Boolean> autoAllowPromotion = Optional.empty();

        private Builder() {
        }

        public Builder lobbyEnabled(boolean value) {
            this.lobbyEnabled = value;
            return this;
        }

        public Builder breakoutRoom(boolean value) {
            this.breakoutRoom = value;
            return this;
        }

        public Builder visitorsEnabled(boolean value) {
            this.visitorsEnabled = Optional.of(value);
            return this;
        }

        public Builder participantSoftLimit(int value) {
            this.participantSoftLimit = OptionalInt.of(value);
            return this;
        }

        public Builder moderators(Set<String> ids) {
            this.moderators = ids;
            return this;
        }

        /** The room's participant list; an empty set is a list that names nobody. */
        public Builder participants(Set<String> ids) {
            this.participants = Optional.of(ids);
            return this;
        }

        public Builder live(boolean value) {
            this.live = value;
            return this;
        }

        public Builder autoAllowPromotion(boolean value) {
            this.autoAllowPromotion = Optional.of(value);
            return this;
        }

        public RoomFacts build() {
            return new RoomFacts(lobbyEnabled, breakoutRoom, visitorsEnabled, participantSoftLimit,
                    moderators, participants, live, autoAllowPromotion);
        }
    }
}

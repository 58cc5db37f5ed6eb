package io.confgate.admission.event;

import io.confgate.admission.MemberKind;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;

/**
 * An occupancy change the focus observed and reports with
 * {@link io.confgate.admission.AdmissionEngine#report}. Member keys are the
 * {@link io.confgate.admission.Decision#memberKey()} the join was decided under.
 */
public sealed interface OccupancyEvent {

    /** The room the change happened in. */
    EntityBareJid room();

    /**
     * A member joined the main room. A recorder, transcriber, SIP gateway or ignore-listed address is
     * tracked but never counted.
     */
    record MainJoined(EntityBareJid room, String memberKey, MemberKind kind, Optional<Jid> address)
            implements OccupancyEvent {
        public MainJoined {
            Objects.requireNonNull(room, "room");
            requireKey(memberKey);
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(address, "address");
        }

        /** An ordinary member joined. */
        public static MainJoined of(EntityBareJid room, String memberKey) {
            return new MainJoined(room, memberKey, MemberKind.NORMAL, Optional.empty());
        }
    }

    /** A member left the main room. */
    record MainLeft(EntityBareJid room, String memberKey) implements OccupancyEvent {
        public MainLeft {
            Objects.requireNonNull(room, "room");
            requireKey(memberKey);
        }
    }

    /** A visitor joined the conference's room on node {@code nodeId}. */
    record VisitorJoined(EntityBareJid room, String nodeId, String memberKey) implements OccupancyEvent {
        public VisitorJoined {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(nodeId, "nodeId");
            requireKey(memberKey);
        }
    }

    /** A visitor left the conference's room on node {@code nodeId}. */
    record VisitorLeft(EntityBareJid room, String nodeId, String memberKey) implements OccupancyEvent {
        public VisitorLeft {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(nodeId, "nodeId");
            requireKey(memberKey);
        }
    }

    /**
     * An occupant joined the main room without a member key: as Prosody reports it (mod_event_sync_component,
     * {@code occupant/joined}), or as a focus in the room sees it (Jicofo's {@code memberJoined}: a member is an
     * occupant, not the conference request it answered). It takes the oldest seat held in the room. The room's
     * joined count becomes {@code activeOccupants} (Prosody's count after the join, the focus excluded) less
     * its uncounted occupants, or, without that count, the occupants reported so far. Recorders, transcribers,
     * SIP gateways ({@code kind}) and ignored domains are tracked, never counted. A repeated report of the same
     * occupant is a duplicate.
     *
     * @param occupantJid     the occupant's real JID (what both sources see, so one occupant counts once)
     * @param kind            what the occupant is, when the reporter knows ({@link MemberKind#NORMAL} otherwise)
     * @param activeOccupants Prosody's count of the room's occupants after the join, when reported
     */
    record OccupantJoinedMain(EntityBareJid room, Jid occupantJid, MemberKind kind, OptionalInt activeOccupants)
            implements OccupancyEvent {
        public OccupantJoinedMain {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(occupantJid, "occupantJid");
            Objects.requireNonNull(kind, "kind");
            requireCount(activeOccupants);
        }

        /** A join Prosody reports with its count. */
        public OccupantJoinedMain(EntityBareJid room, Jid occupantJid, int activeOccupants) {
            this(room, occupantJid, MemberKind.NORMAL, OptionalInt.of(activeOccupants));
        }
    }

    /**
     * An occupant left the main room, as Prosody reports it (the count becomes {@code activeOccupants}, see
     * above) or a focus sees it (no count).
     */
    record OccupantLeftMain(EntityBareJid room, Jid occupantJid, OptionalInt activeOccupants)
            implements OccupancyEvent {
        public OccupantLeftMain {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(occupantJid, "occupantJid");
            requireCount(activeOccupants);
        }

        /** A leave Prosody reports with its count. */
        public OccupantLeftMain(EntityBareJid room, Jid occupantJid, int activeOccupants) {
            this(room, occupantJid, OptionalInt.of(activeOccupants));
        }
    }

    /**
     * A visitor joined the conference's room on node {@code nodeId}, as that node's Prosody reports it: it
     * takes the oldest redirect to that node (or a place on it, if none is held). It is then known by its
     * real JID: its leave is a {@link VisitorLeft} with that JID as member key.
     */
    record OccupantJoinedNode(EntityBareJid room, String nodeId, Jid occupantJid) implements OccupancyEvent {
        public OccupantJoinedNode {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(occupantJid, "occupantJid");
        }
    }

    /** The conference's room on node {@code nodeId} was destroyed: every visitor counted there has left. */
    record NodeRoomDestroyed(EntityBareJid room, String nodeId) implements OccupancyEvent {
        public NodeRoomDestroyed {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(nodeId, "nodeId");
        }
    }

    /** The conference ended: every seat, redirect and count for it is dropped. */
    record RoomDestroyed(EntityBareJid room) implements OccupancyEvent {
        public RoomDestroyed {
            Objects.requireNonNull(room, "room");
        }
    }

    private static void requireCount(OptionalInt count) {
        Objects.requireNonNull(count, "activeOccupants");
        if (count.isPresent() && count.getAsInt() < 0) {
            throw new IllegalArgumentException("activeOccupants must be >= 0, was " + count.getAsInt());
        }
    }

    private static void requireKey(String memberKey) {
        if (memberKey == null || memberKey.isBlank()) {
            throw new IllegalArgumentException("memberKey must not be blank");
        }
    }
}

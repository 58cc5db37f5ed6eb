package io.confgate.admission.event;

import io.confgate.admission.MemberKind;
import java.util.Objects;
import java.util.Optional;
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

    /** The conference ended: every seat, redirect and count for it is dropped. */
    record RoomDestroyed(EntityBareJid room) implements OccupancyEvent {
        public RoomDestroyed {
            Objects.requireNonNull(room, "room");
        }
    }

    private static void requireKey(String memberKey) {
        if (memberKey == null || memberKey.isBlank()) {
            throw new IllegalArgumentException("memberKey must not be blank");
        }
    }
}

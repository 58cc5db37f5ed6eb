package io.confgate.admission;

import java.util.Objects;
import org.jxmpp.jid.EntityBareJid;

/**
 * The answer to one {@link JoinRequest}. Switch on {@link #outcome()} or test the record type; every
 * decision names its {@link Reason} and the member key under which the engine expects the join to be
 * reported.
 */
public sealed interface Decision permits Decision.Main, Decision.Visitor, Decision.Queued, Decision.Refused {

    /** The room asked for. */
    EntityBareJid room();

    /**
     * The key the focus reports the join under ({@link io.confgate.admission.event.OccupancyEvent}): the
     * request's session id, machine uid or user id, or an engine-made key for anonymous requests.
     */
    String memberKey();

    /** Why this decision. */
    Reason reason();

    /** Which of the four answers this is. */
    Outcome outcome();

    /** What became of a promotion ticket (or an approval held by the identity); {@link TicketCheck#NONE} if none. */
    TicketCheck ticket();

    /**
     * Join the main room.
     *
     * @param seatReserved whether a seat is held for this member until its join is reported or the
     *                     reservation expires; false for members that are never counted
     */
    record Main(EntityBareJid room, String memberKey, Reason reason, boolean seatReserved, TicketCheck ticket)
            implements Decision {
        public Main {
            requireCommon(room, memberKey, reason, ticket);
        }

        /** A main-room answer with no ticket involved. */
        public Main(EntityBareJid room, String memberKey, Reason reason, boolean seatReserved) {
            this(room, memberKey, reason, seatReserved, TicketCheck.NONE);
        }

        @Override
        public Outcome outcome() {
            return Outcome.MAIN;
        }
    }

    /** Join as a visitor through {@code node}; the node's focus address is {@link VisitorNode#focusJid()}. */
    record Visitor(EntityBareJid room, String memberKey, Reason reason, VisitorNode node, TicketCheck ticket)
            implements Decision {
        public Visitor {
            requireCommon(room, memberKey, reason, ticket);
            Objects.requireNonNull(node, "node");
        }

        /** A visitor answer with no ticket involved. */
        public Visitor(EntityBareJid room, String memberKey, Reason reason, VisitorNode node) {
            this(room, memberKey, reason, node, TicketCheck.NONE);
        }

        @Override
        public Outcome outcome() {
            return Outcome.VISITOR;
        }
    }

    /** The room is not live yet; the client should ask again. */
    record Queued(EntityBareJid room, String memberKey, Reason reason, TicketCheck ticket) implements Decision {
        public Queued {
            requireCommon(room, memberKey, reason, ticket);
        }

        public Queued(EntityBareJid room, String memberKey, Reason reason) {
            this(room, memberKey, reason, TicketCheck.NONE);
        }

        @Override
        public Outcome outcome() {
            return Outcome.QUEUED;
        }
    }

    /** Not admitted. */
    record Refused(EntityBareJid room, String memberKey, Reason reason, TicketCheck ticket) implements Decision {
        public Refused {
            requireCommon(room, memberKey, reason, ticket);
        }

        public Refused(EntityBareJid room, String memberKey, Reason reason) {
            this(room, memberKey, reason, TicketCheck.NONE);
        }

        @Override
        public Outcome outcome() {
            return Outcome.REFUSED;
        }
    }

    private static void requireCommon(EntityBareJid room, String memberKey, Reason reason, TicketCheck ticket) {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(memberKey, "memberKey");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(ticket, "ticket");
    }
}

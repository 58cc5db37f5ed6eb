package io.confgate.admission.core.internal;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What survives a restart of one room, as {@link RoomStore} keeps it. Plain values only (strings, numbers,
 * lists, maps), read back through an allow-list filter. Times are wall-clock epoch milliseconds: a
 * deadline kept in ticker nanos would mean nothing to the next process.
 */
record RoomRecord(
        int version,
        String room,
        List<String> mainMembers,
        List<String> uncountedMembers,
        List<HoldRecord> holds,
        Map<String, String> visitors,
        List<String> linkedNodes,
        ReportedRecord reported,
        PromotionsRecord promotions) implements Serializable {

    static final int VERSION = 1;

    /** A held place: a seat ({@code node} null) or a redirect to a node id, with its deadline. */
    record HoldRecord(String member, String node, long deadlineMillis) implements Serializable {
    }

    /** What Prosody last reported of the main room. */
    record ReportedRecord(List<String> counted, List<String> uncounted, int count) implements Serializable {
    }

    /** A raised hand, every optional field null when absent. */
    record HandRecord(String requestId, String memberKey, String userId, String groupId, String displayName,
                      String nodeId, String state, String reason, String ticketId, long ticketValidMillis,
                      long atMillis) implements Serializable {
    }

    /** A ticket: issued to a member (and user), until a time, used or not. */
    record TicketRecord(String id, String memberKey, String userId, long expiresMillis, boolean used)
            implements Serializable {
    }

    /**
     * A room's promotion state: pending hands ({@code atMillis} when raised), decided hands ({@code atMillis}
     * when forgotten), live approvals by member, demotions by member (until when).
     */
    record PromotionsRecord(List<HandRecord> pending, List<HandRecord> decided, List<TicketRecord> tickets,
                            Map<String, Long> demotedUntil) implements Serializable {
    }
}

package io.confgate.admission.core.internal;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Store format 1 (builds up to 752bebb): a room as those builds wrote it, in Java serialization. Read only, by
 * {@link StoreFormat}, to migrate a store written by such a build; its name and fields must stay as they are,
 * since Java serialization finds the class by them. Times are wall-clock epoch milliseconds.
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

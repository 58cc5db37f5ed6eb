package io.confgate.admission.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The versions of a stored room, and the way from each to the current one. A room is stored as a JSON object
 * with a {@code format} number; {@link #read} brings any version this build knows to {@link #CURRENT}, one
 * step at a time, so a store written by any earlier build is read, never skipped.
 *
 * <ul>
 *   <li>Format 1 (builds up to 752bebb): Java serialization of {@link RoomRecord}, read through an allow-list
 *       and turned into format 2's JSON. Seats had no {@code since}; the restore derives it.</li>
 *   <li>Format 2: JSON, documented in {@link StoreCodec}; seats carry {@code since}.</li>
 * </ul>
 *
 * <p>A later format adds its number, a step from the one before to {@link #STEPS} (a function on the JSON
 * tree), and a fixture written by the build that introduced it (see {@code StoreFormatTest}).
 */
final class StoreFormat {
    static final int CURRENT = 2;
    static final ObjectMapper JSON = new ObjectMapper();

    /** Step from format {@code n} (the key) to {@code n + 1}, for the JSON formats. */
    private static final Map<Integer, UnaryOperator<ObjectNode>> STEPS = Map.of();

    private static final ObjectInputFilter FORMAT_ONE_CLASSES = ObjectInputFilter.Config.createFilter(
            "io.confgate.admission.core.internal.RoomRecord;io.confgate.admission.core.internal.RoomRecord$*;"
                    + "java.lang.*;java.util.*;maxdepth=20;maxrefs=10000000;maxbytes=268435456;!*");

    private StoreFormat() {
    }

    /** A stored room this build cannot read; the message says why, for the WARN naming the room. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    /** The stored bytes as a format-{@link #CURRENT} tree. */
    static ObjectNode read(byte[] bytes) throws Unreadable {
        ObjectNode room;
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xac && (bytes[1] & 0xff) == 0xed) {
            room = formatOneToTwo(formatOne(bytes));
        } else {
            try {
                JsonNode tree = JSON.readTree(bytes);
                if (!(tree instanceof ObjectNode object)) {
                    throw new Unreadable("not a JSON object");
                }
                room = object;
            } catch (IOException e) {
                throw new Unreadable("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        int format = room.path("format").asInt(-1);
        if (format > CURRENT) {
            throw new Unreadable("written by a newer build (format " + format + "); this build reads formats 1 to "
                    + CURRENT);
        }
        if (format < 2) {
            throw new Unreadable("no valid format number: " + room.path("format"));
        }
        while (format < CURRENT) {
            room = STEPS.get(format).apply(room);
            format++;
            room.put("format", format);
        }
        return room;
    }

    private static RoomRecord formatOne(byte[] bytes) throws Unreadable {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(FORMAT_ONE_CLASSES);
            RoomRecord record = (RoomRecord) in.readObject();
            if (record.version() != 1) {
                throw new Unreadable("format 1 record of version " + record.version());
            }
            return record;
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new Unreadable("format 1 record that cannot be read: " + e);
        }
    }

    /** Format 1's record as format 2's tree; the same fields, in JSON, seats without {@code since}. */
    static ObjectNode formatOneToTwo(RoomRecord r) {
        JsonNodeFactory f = JSON.getNodeFactory();
        ObjectNode room = f.objectNode().put("format", 2).put("room", r.room());
        strings(room.putArray("main"), r.mainMembers());
        strings(room.putArray("uncounted"), r.uncountedMembers());
        ArrayNode holds = room.putArray("holds");
        for (RoomRecord.HoldRecord h : list(r.holds())) {
            ObjectNode hold = holds.addObject().put("member", h.member()).put("deadline", h.deadlineMillis());
            if (h.node() != null) {
                hold.put("node", h.node());
            }
        }
        ObjectNode visitors = room.putObject("visitors");
        if (r.visitors() != null) {
            r.visitors().forEach(visitors::put);
        }
        strings(room.putArray("links"), r.linkedNodes());
        if (r.reported() != null) {
            ObjectNode reported = room.putObject("reported").put("count", r.reported().count());
            strings(reported.putArray("counted"), r.reported().counted());
            strings(reported.putArray("uncounted"), r.reported().uncounted());
        }
        RoomRecord.PromotionsRecord p = r.promotions();
        if (p != null) {
            ObjectNode promotions = room.putObject("promotions");
            list(p.pending()).forEach(h -> hand(promotions.withArray("pending"), h, "raised"));
            list(p.decided()).forEach(h -> hand(promotions.withArray("decided"), h, "forget"));
            ArrayNode tickets = promotions.putArray("tickets");
            for (RoomRecord.TicketRecord t : list(p.tickets())) {
                ObjectNode ticket = tickets.addObject().put("id", t.id()).put("member", t.memberKey())
                        .put("expires", t.expiresMillis()).put("used", t.used());
                if (t.userId() != null) {
                    ticket.put("user", t.userId());
                }
            }
            ObjectNode demoted = promotions.putObject("demoted");
            if (p.demotedUntil() != null) {
                p.demotedUntil().forEach(demoted::put);
            }
        }
        return room;
    }

    private static void hand(ArrayNode into, RoomRecord.HandRecord h, String timeField) {
        ObjectNode hand = into.addObject().put("requestId", h.requestId()).put("member", h.memberKey())
                .put("state", h.state()).put("reason", h.reason()).put(timeField, h.atMillis());
        optional(hand, "user", h.userId());
        optional(hand, "group", h.groupId());
        optional(hand, "name", h.displayName());
        optional(hand, "node", h.nodeId());
        if (h.ticketId() != null) {
            hand.put("ticket", h.ticketId()).put("ticketValidMillis", h.ticketValidMillis());
        }
    }

    private static void optional(ObjectNode into, String field, String value) {
        if (value != null) {
            into.put(field, value);
        }
    }

    private static void strings(ArrayNode into, List<String> values) {
        list(values).forEach(into::add);
    }

    private static <T> List<T> list(List<T> values) {
        return values == null ? List.of() : values;
    }
}

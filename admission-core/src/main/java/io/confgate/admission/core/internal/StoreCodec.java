package io.confgate.admission.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.confgate.admission.promotion.Hand;
import io.confgate.admission.promotion.HandState;
import io.confgate.admission.promotion.PromotionReason;
import io.confgate.admission.promotion.PromotionTicket;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one translation between a {@link Room} and its stored form; no other class knows the format. Format
 * {@value StoreFormat#CURRENT}, one JSON object per room (times are wall-clock epoch milliseconds: a deadline
 * in ticker nanos would mean nothing to the next process):
 *
 * <pre>
 * { "format": 2, "room": "townhall@conference.meet.jitsi",
 *   "main": [member…], "uncounted": [member…],
 *   "holds": [ {"member", "deadline", "since"} (a seat) | {"member", "node", "deadline"} (a redirect) ],
 *   "visitors": {member: node}, "links": [node…],
 *   "reported": {"counted": [occupant…], "uncounted": [occupant…], "count"},
 *   "promotions": { "pending": [hand + "raised"], "decided": [hand + "forget"],
 *                   "tickets": [{"id", "member", "user"?, "expires", "used"}], "demoted": {member: until} } }
 * hand: {"requestId", "member", "user"?, "group"?, "name"?, "node"?, "state", "reason", "ticket"?,
 *        "ticketValidMillis"?}
 * </pre>
 *
 * <p>Reading is forgiving by item: a hold, visitor, hand, ticket or demotion that cannot be read (a missing
 * field, a value this build does not know, a node no longer configured) is dropped and named in
 * {@link Dropped}, and the rest of the room is restored. What expired while the server was down is dropped
 * silently: the running server would have dropped it too.
 */
final class StoreCodec {
    private StoreCodec() {
    }

    /** Parts of one room that could not be restored, each with why. */
    static final class Dropped {
        final List<String> items = new ArrayList<>();

        void add(String what) {
            items.add(what);
        }
    }

    /** A restored room and every ticket it knows, for the ticket index. */
    record Restored(Room room, List<TicketEntry> tickets) {
    }

    // ---------------------------------------------------------------- writing

    static byte[] encode(Room room, WallClock clock) {
        ObjectNode out = StoreFormat.JSON.createObjectNode().put("format", StoreFormat.CURRENT)
                .put("room", room.jid().toString());
        strings(out.putArray("main"), room.mainMemberKeys());
        strings(out.putArray("uncounted"), room.uncountedMemberKeys());
        ArrayNode holds = out.putArray("holds");
        room.holds().forEach((key, hold) -> {
            ObjectNode h = holds.addObject().put("member", key).put("deadline", clock.toMillis(hold.deadline()));
            if (hold instanceof Hold.Redirect r) {
                h.put("node", r.node().node.id());
            } else if (hold instanceof Hold.Seat s) {
                h.put("since", clock.toMillis(s.since()));
            }
        });
        ObjectNode visitors = out.putObject("visitors");
        room.visitors().forEach((key, node) -> visitors.put(key, node.node.id()));
        ArrayNode links = out.putArray("links");
        room.linkedNodes().forEach(node -> links.add(node.node.id()));
        ReportedOccupants reported = room.reported();
        ObjectNode r = out.putObject("reported").put("count", reported.count());
        strings(r.putArray("counted"), reported.countedOccupants());
        strings(r.putArray("uncounted"), reported.uncountedOccupants());
        RoomPromotions promotions = room.promotionsIfAny();
        if (promotions != null) {
            ObjectNode p = out.putObject("promotions");
            ArrayNode pending = p.putArray("pending");
            promotions.forEachPending((hand, raisedAt) -> hand(pending, hand).put("raised", clock.toMillis(raisedAt)));
            ArrayNode decided = p.putArray("decided");
            promotions.forEachDecided((hand, forgetAt) -> hand(decided, hand).put("forget", clock.toMillis(forgetAt)));
            ArrayNode tickets = p.putArray("tickets");
            for (TicketEntry t : promotions.liveTickets()) {
                ObjectNode ticket = tickets.addObject().put("id", t.id).put("member", t.memberKey)
                        .put("expires", clock.toMillis(t.expiresAtNanos)).put("used", t.used);
                t.userId.ifPresent(user -> ticket.put("user", user));
            }
            ObjectNode demoted = p.putObject("demoted");
            promotions.demotions().forEach((key, until) -> demoted.put(key, clock.toMillis(until)));
        }
        try {
            return StoreFormat.JSON.writeValueAsBytes(out);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of strings and numbers always writes
        }
    }

    private static ObjectNode hand(ArrayNode into, Hand h) {
        ObjectNode hand = into.addObject().put("requestId", h.requestId()).put("member", h.memberKey())
                .put("state", h.state().name()).put("reason", h.reason().name());
        h.userId().ifPresent(v -> hand.put("user", v));
        h.groupId().ifPresent(v -> hand.put("group", v));
        h.displayName().ifPresent(v -> hand.put("name", v));
        h.nodeId().ifPresent(v -> hand.put("node", v));
        h.ticket().ifPresent(t -> hand.put("ticket", t.id()).put("ticketValidMillis", t.validFor().toMillis()));
        return hand;
    }

    private static void strings(ArrayNode into, Iterable<String> values) {
        values.forEach(into::add);
    }

    // ---------------------------------------------------------------- reading

    /**
     * Rebuilds the room a store kept (any format this build reads) into {@code room}: counts, places, visitors
     * and the node places they take, links, promotion state. Items it cannot read go to {@code dropped}.
     *
     * @throws StoreFormat.Unreadable the record as a whole cannot be read
     */
    static Restored restore(byte[] bytes, Rooms rooms, Map<String, NodeSlot> nodes, WallClock clock,
                            long pendingNanos, Dropped dropped) throws StoreFormat.Unreadable {
        ObjectNode stored = StoreFormat.read(bytes);
        String address = text(stored, "room");
        Room room;
        try {
            room = rooms.newRoom(io.confgate.admission.JoinRequest.parseRoom(address), clock.nanos());
        } catch (IllegalArgumentException e) {
            throw new StoreFormat.Unreadable("not a room address: " + address);
        }
        room.restoreMembers(strings(stored.path("main")), strings(stored.path("uncounted")));
        for (JsonNode h : stored.path("holds")) {
            item(dropped, "place", h, () -> hold(room, h, nodes, clock, dropped));
        }
        stored.path("visitors").fields().forEachRemaining(e -> {
            NodeSlot node = nodes.get(e.getValue().asText());
            if (node == null) {
                dropped.add("visitor " + e.getKey() + " (node '" + e.getValue().asText() + "' is not configured)");
            } else {
                node.forceAcquire();
                room.visitors().join(e.getKey(), node);
            }
        });
        JsonNode reported = stored.path("reported");
        room.reported().restore(strings(reported.path("counted")), strings(reported.path("uncounted")),
                reported.path("count").asInt(0));
        for (JsonNode link : stored.path("links")) {
            NodeSlot node = nodes.get(link.asText());
            if (node == null) {
                dropped.add("link to node '" + link.asText() + "' (not configured)");
            } else {
                // Links come back prepared: the linker makes them again on the wire (the focus's session left
                // every node room with the old process), connected once the restored seats are in or past grace.
                room.links().link(node);
            }
        }
        room.connectWhenClear();
        List<TicketEntry> tickets = stored.has("promotions")
                ? promotions(stored.path("promotions"), room, clock, pendingNanos, dropped) : List.of();
        return new Restored(room, tickets);
    }

    private static void hold(Room room, JsonNode h, Map<String, NodeSlot> nodes, WallClock clock, Dropped dropped)
            throws StoreFormat.Unreadable {
        String member = text(h, "member");
        long deadline = clock.toNanos(number(h, "deadline"));
        if (deadline - clock.nanos() <= 0) {
            return;
        }
        if (!h.hasNonNull("node")) {
            // Format 1 kept no 'since': the last renewal stands in for it.
            long since = h.has("since") ? clock.toNanos(number(h, "since")) : deadline - room.latencyNanos();
            room.holds().hold(member, new Hold.Seat(deadline, since));
            return;
        }
        NodeSlot node = nodes.get(h.get("node").asText());
        if (node == null) {
            dropped.add("redirect of " + member + " (node '" + h.get("node").asText() + "' is not configured)");
            return;
        }
        node.forceAcquire();
        room.holds().hold(member, new Hold.Redirect(node, deadline));
    }

    private static List<TicketEntry> promotions(JsonNode p, Room room, WallClock clock, long pendingNanos,
                                                Dropped dropped) {
        RoomPromotions promotions = room.promotions();
        List<TicketEntry> known = new ArrayList<>();
        for (JsonNode t : p.path("tickets")) {
            item(dropped, "ticket", t, () -> {
                TicketEntry entry = new TicketEntry(text(t, "id"), room, text(t, "member"),
                        Optional.ofNullable(t.path("user").textValue()), clock.toNanos(number(t, "expires")));
                entry.used = t.path("used").asBoolean(false);
                if (entry.liveAt(clock.nanos())) {
                    promotions.putTicket(entry);
                }
                known.add(entry);
            });
        }
        for (JsonNode h : p.path("pending")) {
            item(dropped, "hand", h, () -> {
                long raised = clock.toNanos(number(h, "raised"));
                if (clock.nanos() - raised < pendingNanos) {
                    promotions.addPending(hand(h, room), raised);
                }
            });
        }
        for (JsonNode h : p.path("decided")) {
            item(dropped, "hand", h, () -> {
                long forgetAt = clock.toNanos(number(h, "forget"));
                if (forgetAt - clock.nanos() <= 0) {
                    return;
                }
                Hand hand = hand(h, room);
                promotions.restoreDecided(hand, forgetAt);
                String ticket = h.path("ticket").textValue();
                if (ticket != null && known.stream().noneMatch(t -> t.id.equals(ticket))) {
                    TicketEntry used = new TicketEntry(ticket, room, hand.memberKey(), hand.userId(), forgetAt);
                    used.used = true; // approved, then redeemed or replaced: a second use is ALREADY_USED
                    known.add(used);
                }
            });
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = p.path("demoted").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToLong()) {
                dropped.add("demotion of " + e.getKey() + " (no time)");
            } else if (e.getValue().asLong() > clock.millis()) {
                promotions.demote(e.getKey(), clock.toNanos(e.getValue().asLong()));
            }
        }
        if (promotions.isEmpty()) {
            room.dropPromotions();
        }
        return known;
    }

    private static Hand hand(JsonNode h, Room room) throws StoreFormat.Unreadable {
        String member = text(h, "member");
        HandState state = known(HandState.class, text(h, "state"), "hand state");
        PromotionReason reason = known(PromotionReason.class, text(h, "reason"), "promotion reason");
        Optional<PromotionTicket> ticket = Optional.ofNullable(h.path("ticket").textValue()).map(id ->
                new PromotionTicket(id, room.jid(), member, Duration.ofMillis(h.path("ticketValidMillis").asLong())));
        return new Hand(text(h, "requestId"), room.jid(), member, optional(h, "user"), optional(h, "group"),
                optional(h, "name"), optional(h, "node"), state, reason, ticket);
    }

    private interface Item {
        void run() throws StoreFormat.Unreadable;
    }

    /** Restores one item; one that cannot be read is named in {@code dropped}, and the rest goes on. */
    private static void item(Dropped dropped, String kind, JsonNode node, Item restore) {
        try {
            restore.run();
        } catch (StoreFormat.Unreadable | RuntimeException e) {
            String who = node.path("requestId").textValue() != null ? node.path("requestId").textValue()
                    : node.path("id").textValue() != null ? node.path("id").textValue() : node.path("member").asText("?");
            dropped.add(kind + " " + who + " (" + (e instanceof StoreFormat.Unreadable ? e.getMessage() : e) + ")");
        }
    }

    static <E extends Enum<E>> E known(Class<E> type, String name, String what) throws StoreFormat.Unreadable {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new StoreFormat.Unreadable("unknown " + what + " '" + name + "'");
        }
    }

    private static String text(JsonNode node, String field) throws StoreFormat.Unreadable {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new StoreFormat.Unreadable("no '" + field + "'");
        }
        return value.textValue();
    }

    private static long number(JsonNode node, String field) throws StoreFormat.Unreadable {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong()) {
            throw new StoreFormat.Unreadable("no '" + field + "'");
        }
        return value.asLong();
    }

    private static Optional<String> optional(JsonNode node, String field) {
        return Optional.ofNullable(node.path(field).textValue());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode value : array) {
            if (value.isTextual()) {
                out.add(value.textValue());
            }
        }
        return out;
    }
}

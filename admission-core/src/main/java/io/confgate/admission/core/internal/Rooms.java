package io.confgate.admission.core.internal;

import io.confgate.admission.RoomFacts;
import io.confgate.admission.RoomFactsSource;
import io.confgate.admission.Ticker;
import io.confgate.admission.event.NodeLinkEvent;
import io.confgate.admission.event.NodeLinkListener;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jxmpp.jid.EntityBareJid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms by address, and the one way to work on a room: find it, lock it, expire its places, act,
 * unlock, then send the node-link changes the action made. There is no lock shared by all rooms.
 */
final class Rooms implements RoomAccess {
    private static final Logger log = LoggerFactory.getLogger(Rooms.class);

    private final ConcurrentHashMap<EntityBareJid, Room> rooms = new ConcurrentHashMap<>();
    private final NodeSlot[] nodes;
    private final Map<String, NodeSlot> nodesById;
    private final long latencyNanos;
    private final long graceNanos;
    private final boolean mainOpenWhileLinked;
    private final Ticker ticker;
    private final RoomFactsSource facts;
    private final NodeLinkListener links;
    private final int maxRooms;
    /** Held places over all rooms, against {@code admission.limits.max-held-places}. */
    private final Budget places;
    /** Hands over all rooms, against {@code admission.promotion.max-hands}. */
    private final Budget hands;
    /** Seats given up when links were connected (their holders had not come within the grace). */
    private final java.util.concurrent.atomic.LongAdder seatsGivenUp = new java.util.concurrent.atomic.LongAdder();
    /** Rooms changed since the last write to the store; null when there is no store. */
    private volatile Set<EntityBareJid> dirty;

    Rooms(NodeSlot[] nodes, Map<String, NodeSlot> nodesById, long latencyNanos, long graceNanos,
          boolean mainOpenWhileLinked, Ticker ticker, RoomFactsSource facts, NodeLinkListener links, int maxRooms,
          int maxHeldPlaces, Budget hands) {
        this.nodes = nodes;
        this.nodesById = nodesById;
        this.latencyNanos = latencyNanos;
        this.graceNanos = graceNanos;
        this.mainOpenWhileLinked = mainOpenWhileLinked;
        this.ticker = ticker;
        this.facts = facts;
        this.links = links;
        this.maxRooms = maxRooms;
        this.places = new Budget(maxHeldPlaces);
        this.hands = hands;
    }

    /** A new room for {@code jid}, holding its places against the server-wide bound. */
    Room newRoom(EntityBareJid jid, long now) {
        return new Room(jid, nodes, latencyNanos, graceNanos, mainOpenWhileLinked, now, places, hands);
    }

    Budget places() {
        return places;
    }

    int maxRooms() {
        return maxRooms;
    }

    @Override
    public <T> T inRoom(EntityBareJid jid, boolean create, Function<Room, T> action) {
        for (;;) {
            // A plain read first: computeIfAbsent may lock the map's bin even when the room exists.
            Room room = rooms.get(jid);
            if (room == null) {
                if (!create || rooms.size() >= maxRooms) {
                    return null; // unknown, or no room for one more (admission.limits.max-rooms)
                }
                room = rooms.computeIfAbsent(jid, r -> newRoom(r, ticker.read()));
            }
            T result;
            boolean linksChanged;
            boolean changed;
            synchronized (room) {
                if (room.isDestroyed()) {
                    if (create) {
                        continue; // destroyed between look-up and lock: use the fresh room
                    }
                    return null;
                }
                room.enter(ticker.read());
                result = action.apply(room);
                linksChanged = room.links().hasChanges();
                changed = room.takeChanged() || linksChanged;
                countGivenUp(room);
            }
            if (changed) {
                markDirty(jid); // reads (status polls, sticky answers) write nothing
            }
            if (linksChanged) {
                sendLinkChanges(room);
            }
            return result;
        }
    }

    private void countGivenUp(Room room) {
        int givenUp = room.takeSeatsGivenUp();
        if (givenUp > 0) {
            seatsGivenUp.add(givenUp);
            log.info("Linked {} to its visitor nodes with {} main seat(s) not joined within the grace; their holders"
                    + " are placed anew if they ask again", room.jid(), givenUp);
        }
    }

    /** Seats given up when links were connected, since the start. */
    long seatsGivenUp() {
        return seatsGivenUp.sum();
    }

    @Override
    public RoomFacts factsFor(EntityBareJid room) {
        RoomFacts known = facts.factsFor(room);
        return known != null ? known : RoomFacts.unknown();
    }

    @Override
    public boolean hasNode(String nodeId) {
        return nodesById.containsKey(nodeId);
    }

    NodeSlot node(String nodeId) {
        return nodesById.get(nodeId);
    }

    /** Reads a room under its lock without counting as activity; null if it is not tracked. */
    <T> T read(EntityBareJid jid, Function<Room, T> reader) {
        Room room = rooms.get(jid);
        if (room == null) {
            return null;
        }
        synchronized (room) {
            if (room.isDestroyed()) {
                return null;
            }
            room.expireAt(ticker.read());
            return reader.apply(room);
        }
    }

    /** Every tracked room, each visited under its lock without counting as activity. */
    void forEach(Consumer<Room> visitor) {
        for (Room room : rooms.values()) {
            boolean linksChanged;
            boolean changed;
            synchronized (room) {
                if (room.isDestroyed()) {
                    continue;
                }
                room.expireAt(ticker.read());
                visitor.accept(room);
                linksChanged = room.links().hasChanges();
                changed = room.takeChanged() || linksChanged || room.isDestroyed();
                countGivenUp(room);
            }
            if (changed) {
                markDirty(room.jid());
            }
            if (linksChanged) {
                sendLinkChanges(room);
            }
        }
    }

    /** Removes and destroys a room; false if it was not tracked. {@code first} runs under its lock before. */
    boolean destroy(EntityBareJid jid, Consumer<Room> first) {
        Room room = rooms.remove(jid);
        if (room == null) {
            return false;
        }
        synchronized (room) {
            first.accept(room);
            room.destroy();
        }
        markDirty(jid);
        sendLinkChanges(room);
        return true;
    }

    /** Forgets a room the clean-up found idle (its lock is held by the caller). */
    void forget(Room room) {
        room.forget();
        rooms.remove(room.jid(), room);
    }

    Collection<Room> all() {
        return rooms.values();
    }

    int count() {
        return rooms.size();
    }

    /** From now on, remembers which rooms change, for {@link #takeChanges}. */
    void trackChanges() {
        dirty = ConcurrentHashMap.newKeySet();
    }

    private void markDirty(EntityBareJid jid) {
        Set<EntityBareJid> changed = dirty;
        if (changed != null) {
            changed.add(jid);
        }
    }

    /**
     * The stored form of every room changed since the last call (empty for a room gone), each read under its
     * lock without counting as activity.
     */
    Map<EntityBareJid, Optional<byte[]>> takeChanges(WallClock clock) {
        Map<EntityBareJid, Optional<byte[]>> out = new java.util.HashMap<>();
        Set<EntityBareJid> changed = dirty;
        if (changed == null) {
            return out;
        }
        List<EntityBareJid> taken = new java.util.ArrayList<>();
        try {
            for (java.util.Iterator<EntityBareJid> it = changed.iterator(); it.hasNext(); ) {
                EntityBareJid jid = it.next();
                it.remove();
                taken.add(jid);
                out.put(jid, Optional.ofNullable(read(jid, room -> StoreCodec.encode(room, clock))));
            }
        } catch (RuntimeException e) {
            changedAgain(taken); // written at the next interval, not lost until they change again
            throw e;
        }
        return out;
    }

    /** Rooms whose write failed: taken again at the next {@link #takeChanges}. */
    void changedAgain(Collection<EntityBareJid> jids) {
        jids.forEach(this::markDirty);
    }

    /** Takes in a room rebuilt from the store, and sends the link changes its restore made. */
    void adopt(Room room) {
        rooms.put(room.jid(), room);
        sendLinkChanges(room);
    }

    long now() {
        return ticker.read();
    }

    /**
     * Sends a room's link changes in the order they were made. Taken outside the room's monitor, so a
     * slow listener never holds up decisions; one delivery lock per room keeps two threads from sending
     * one room's connect and disconnect out of order.
     */
    private void sendLinkChanges(Room room) {
        synchronized (room.links().delivery) {
            List<NodeLinkEvent> changes;
            synchronized (room) {
                changes = room.links().take();
            }
            for (NodeLinkEvent change : changes) {
                try {
                    links.onNodeLink(change);
                } catch (RuntimeException e) {
                    log.error("Node link listener failed on {}; counts are unaffected", change, e);
                }
            }
        }
    }
}

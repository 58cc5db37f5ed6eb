package io.confgate.admission.core.internal;

import io.confgate.admission.NodeState;
import io.confgate.admission.StoreStats;
import io.confgate.admission.Ticker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the engine's state in a {@link RoomStore} and brings it back at start: every {@code interval} the
 * rooms that changed are written in one commit, and a last write happens at {@link #close}. After a kill -9
 * the next start loses at most what the last interval had not written.
 *
 * <p>A start never stops on what the store holds: a room that cannot be read is left out with a WARN naming
 * it, a part of a room likewise (one WARN per room), and a damaged file is kept aside with one ERROR line
 * saying what was lost; each is counted ({@link #stats}). Only a store that cannot be used at all (another
 * process holds it, the directory is not writable) refuses the start.
 */
final class Persistence implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Persistence.class);
    /** How many dropped items a room's WARN names; the rest are counted. */
    private static final int NAMED_PER_ROOM = 5;

    private final RoomStore store;
    private final Rooms rooms;
    private final Ticker ticker;
    private final Clock clock;
    private final ScheduledExecutorService writer;
    private final Map<String, String> nodeStates = new ConcurrentHashMap<>();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final long roomsDropped;
    private final long itemsDropped;
    private final long recoveries;
    private volatile boolean closed;

    private Persistence(RoomStore store, Rooms rooms, Ticker ticker, Clock clock, Duration interval,
                        long roomsDropped, long itemsDropped, long recoveries) {
        this.store = store;
        this.rooms = rooms;
        this.ticker = ticker;
        this.clock = clock;
        this.roomsDropped = roomsDropped;
        this.itemsDropped = itemsDropped;
        this.recoveries = recoveries;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "admission-store");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        writer.scheduleWithFixedDelay(this::writeQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the store in {@code directory}, rebuilds every room and node state it kept, then writes every
     * {@code interval}.
     *
     * @throws io.confgate.admission.core.StoreUnavailableException the store cannot be used at all
     */
    static Persistence start(Path directory, Duration interval, Clock wall, Rooms rooms,
                             Map<String, NodeSlot> nodes, PromotionDesk desk, Ticker ticker, long pendingNanos) {
        RoomStore store = RoomStore.open(directory, wall);
        WallClock clock = WallClock.now(ticker, wall);
        RoomStore.Contents contents = store.contents();
        long itemsDropped = 0;
        for (Map.Entry<String, String> e : contents.nodeStates().entrySet()) {
            NodeSlot node = nodes.get(e.getKey());
            try {
                NodeState state = StoreCodec.known(NodeState.class, e.getValue(), "node state");
                if (node != null) {
                    node.state(state);
                }
            } catch (StoreFormat.Unreadable unknown) {
                itemsDropped++;
                log.warn("Node {} in the store: its state is left as configured ({})", e.getKey(),
                        unknown.getMessage());
            }
        }
        int restored = 0;
        long roomsDropped = 0;
        for (Map.Entry<String, byte[]> e : contents.rooms().entrySet()) {
            StoreCodec.Dropped dropped = new StoreCodec.Dropped();
            try {
                StoreCodec.Restored room = StoreCodec.restore(e.getValue(), rooms, nodes, clock, pendingNanos, dropped);
                desk.restored(room.room(), room.tickets());
                rooms.adopt(room.room());
                restored++;
            } catch (StoreFormat.Unreadable | RuntimeException unreadable) {
                roomsDropped++;
                log.warn("Room {} in the store cannot be read and is left out: {}", e.getKey(),
                        unreadable instanceof StoreFormat.Unreadable ? unreadable.getMessage() : unreadable.toString());
                continue;
            }
            if (!dropped.items.isEmpty()) {
                itemsDropped += dropped.items.size();
                List<String> named = dropped.items.subList(0, Math.min(NAMED_PER_ROOM, dropped.items.size()));
                log.warn("Room {} in the store: {} part(s) left out, the rest restored: {}{}", e.getKey(),
                        dropped.items.size(), String.join("; ", named),
                        dropped.items.size() > named.size() ? "; …" : "");
            }
        }
        rooms.trackChanges();
        Optional<RoomStore.Recovery> recovery = store.recovery();
        if (recovery.isPresent()) {
            log.error("Store {} was damaged: {}; {} rooms restored{}", directory.resolve(RoomStore.FILE),
                    recovery.get().lost(), restored,
                    recovery.get().keptAs().map(p -> "; the damaged file is kept as " + p).orElse(""));
        } else {
            log.info("Store {}: {} rooms restored (places and hands that expired meanwhile dropped){}", directory,
                    restored, roomsDropped + itemsDropped > 0 ? "; " + roomsDropped + " rooms and " + itemsDropped
                            + " parts could not be read (see the WARN lines)" : "");
        }
        return new Persistence(store, rooms, ticker, wall, interval, roomsDropped, itemsDropped,
                recovery.isPresent() ? 1 : 0);
    }

    /** A node state set at run time, kept from the next write on. */
    void nodeState(String nodeId, NodeState state) {
        nodeStates.put(nodeId, state.name());
    }

    /** Writes what changed since the last write, now. */
    synchronized void write() {
        WallClock now = WallClock.now(ticker, clock);
        Map<org.jxmpp.jid.EntityBareJid, Optional<byte[]>> changes = rooms.takeChanges(now);
        Map<String, String> states = Map.copyOf(nodeStates);
        if (changes.isEmpty() && states.isEmpty()) {
            return;
        }
        Map<String, Optional<byte[]>> byAddress = new java.util.HashMap<>();
        changes.forEach((jid, bytes) -> byAddress.put(jid.toString(), bytes));
        try {
            store.write(byAddress, states, now.millis());
        } catch (RuntimeException e) {
            rooms.changedAgain(changes.keySet()); // written at the next interval, not lost until they change again
            throw e;
        }
        states.forEach((id, state) -> nodeStates.remove(id, state)); // a state set meanwhile stays for the next write
        writes.incrementAndGet();
    }

    private void writeQuietly() {
        try {
            write();
        } catch (Throwable e) { // the writer must outlive any failure, or nothing is kept again
            failures.incrementAndGet();
            log.error("Writing the store failed; trying again in the next interval: {}", RoomStore.describe(e));
        }
    }

    StoreStats stats() {
        return new StoreStats(writes.get(), failures.get(), roomsDropped, itemsDropped, recoveries);
    }

    /** A simulated crash, for tests: the file is let go without the last interval's changes. */
    synchronized void abandon() {
        closed = true;
        writer.shutdownNow();
        store.abandon();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.shutdownNow();
        try {
            write();
        } finally {
            store.close();
        }
    }
}

package io.confgate.admission.core.internal;

import io.confgate.admission.NodeState;
import io.confgate.admission.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jxmpp.jid.EntityBareJid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the engine's state in a {@link RoomStore} and brings it back at start: every {@code interval}
 * the rooms that changed are written in one commit, and a last write happens at {@link #close}. After a
 * kill -9 the next start loses at most what the last interval had not written.
 */
final class Persistence implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Persistence.class);

    private final RoomStore store;
    private final Rooms rooms;
    private final Ticker ticker;
    private final java.time.Clock clock;
    private final ScheduledExecutorService writer;
    private final Map<String, String> nodeStates = new ConcurrentHashMap<>();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean closed;

    private Persistence(RoomStore store, Rooms rooms, Ticker ticker, java.time.Clock clock, Duration interval) {
        this.store = store;
        this.rooms = rooms;
        this.ticker = ticker;
        this.clock = clock;
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
     */
    static Persistence start(Path directory, Duration interval, java.time.Clock wall, Rooms rooms,
                             Map<String, NodeSlot> nodes, PromotionDesk desk, Ticker ticker, long pendingNanos) {
        RoomStore store = RoomStore.open(directory);
        WallClock clock = WallClock.now(ticker, wall);
        store.nodeStates().forEach((id, state) -> {
            NodeSlot node = nodes.get(id);
            if (node != null) {
                node.state(NodeState.valueOf(state));
            }
        });
        int restored = 0;
        for (Map.Entry<String, RoomRecord> e : store.rooms().entrySet()) {
            EntityBareJid jid = io.confgate.admission.JoinRequest.parseRoom(e.getKey());
            Room room = rooms.newRoom(jid, clock.nanos());
            List<TicketEntry> tickets = room.restore(e.getValue(), nodes, clock, pendingNanos);
            desk.restored(room, tickets);
            rooms.adopt(room);
            restored++;
        }
        rooms.trackChanges();
        log.info("Store {}: {} rooms restored (places and hands that expired meanwhile dropped)", directory, restored);
        return new Persistence(store, rooms, ticker, wall, interval);
    }

    /** A node state set at run time, kept from the next write on. */
    void nodeState(String nodeId, NodeState state) {
        nodeStates.put(nodeId, state.name());
    }

    /** Writes what changed since the last write, now. */
    synchronized void write() {
        Map<String, Optional<RoomRecord>> changes = rooms.takeChanges(WallClock.now(ticker, clock));
        Map<String, String> states = Map.copyOf(nodeStates);
        if (changes.isEmpty() && states.isEmpty()) {
            return;
        }
        store.write(changes, states);
        states.keySet().forEach(nodeStates::remove);
        writes.incrementAndGet();
    }

    private void writeQuietly() {
        try {
            write();
        } catch (Throwable e) { // the writer must outlive any failure, or nothing is kept again
            failures.incrementAndGet();
            log.error("Writing the store failed; trying again in the next interval: {}", e.toString());
        }
    }

    long writes() {
        return writes.get();
    }

    long failures() {
        return failures.get();
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

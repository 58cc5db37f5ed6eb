package io.confgate.admission.core.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms and node states a restart resumes from, in an H2 MVStore file ({@code admission.mv.db}) in the
 * store directory: a maintained, crash-safe embedded store whose every commit is a consistent version of
 * the file, so after kill -9 the next start finds the last commit whole. {@link #write} is one commit.
 *
 * <p>A room is kept as its {@link RoomRecord} in Java serialization (a standard format, not ours) and read
 * back through an allow-list: only our records and the JDK's strings, numbers, lists and maps.
 */
final class RoomStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoomStore.class);
    private static final String FILE = "admission.mv.db";
    private static final ObjectInputFilter ALLOWED = ObjectInputFilter.Config.createFilter(
            "io.confgate.admission.core.internal.RoomRecord;io.confgate.admission.core.internal.RoomRecord$*;"
                    + "java.lang.*;java.util.*;maxdepth=20;maxrefs=10000000;maxbytes=268435456;!*");

    private final MVStore store;
    private final MVMap<String, byte[]> rooms;
    private final MVMap<String, String> nodeStates;

    private RoomStore(MVStore store) {
        this.store = store;
        this.rooms = store.openMap("rooms");
        this.nodeStates = store.openMap("node-states");
    }

    /** Opens (or creates) the store in {@code directory}. */
    static RoomStore open(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the store directory " + directory, e);
        }
        // Commits are ours (one per write interval); MVStore's own background writer is off.
        MVStore store = new MVStore.Builder().fileName(directory.resolve(FILE).toString()).autoCommitDisabled()
                .open();
        return new RoomStore(store);
    }

    /** Every room kept, by address; a record that cannot be read is logged and skipped. */
    Map<String, RoomRecord> rooms() {
        Map<String, RoomRecord> out = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : rooms.entrySet()) {
            try {
                out.put(e.getKey(), read(e.getValue()));
            } catch (RuntimeException | IOException | ClassNotFoundException failure) {
                log.error("Room {} in the store cannot be read and is skipped: {}", e.getKey(), failure.toString());
            }
        }
        return out;
    }

    Map<String, String> nodeStates() {
        return Map.copyOf(nodeStates);
    }

    /** Writes the changes (a room's record, or empty for a room gone) and the node states, as one commit. */
    void write(Map<String, Optional<RoomRecord>> changes, Map<String, String> states) {
        changes.forEach((room, record) -> {
            if (record.isPresent()) {
                rooms.put(room, bytes(record.get()));
            } else {
                rooms.remove(room);
            }
        });
        states.forEach(nodeStates::put);
        store.commit();
    }

    int size() {
        return rooms.size();
    }

    @Override
    public void close() {
        store.close();
    }

    /** Lets the file go without writing anything more: what a kill -9 leaves behind. */
    void abandon() {
        store.closeImmediately();
    }

    private static byte[] bytes(RoomRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
            objects.writeObject(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        }
        return out.toByteArray();
    }

    private static RoomRecord read(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(ALLOWED);
            RoomRecord record = (RoomRecord) in.readObject();
            if (record.version() != RoomRecord.VERSION) {
                throw new IOException("record version " + record.version() + ", this server reads "
                        + RoomRecord.VERSION);
            }
            return record;
        }
    }
}

package io.confgate.admission.core.internal;

import io.confgate.admission.core.StoreUnavailableException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file a restart resumes from: an H2 MVStore ({@code admission.mv.db}) in the store directory, a maintained,
 * crash-safe embedded store whose every commit is a consistent version of the file. It holds bytes per room
 * ({@link StoreCodec} owns what they mean), node states, and the number and time of its last commit.
 *
 * <p>A damaged file is never silent and never a crash loop. MVStore opens a file whose newest chunk is torn by
 * falling back to an older commit, without a word; so after each commit a small marker file beside the store
 * ({@code admission.mv.commit}) records the commit's number. At open, a file that cannot be read, or one whose
 * newest readable commit is older than the marker's, is kept beside it under a name with the time (before
 * anything writes to it), one ERROR line says what was lost, and the start goes on with what could be read.
 * A file locked by another process is refused with one line ({@link StoreUnavailableException}): two processes
 * writing one store would each overwrite the other's rooms.
 */
final class RoomStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RoomStore.class);
    static final String FILE = "admission.mv.db";
    static final String MARKER = "admission.mv.commit";
    private static final String COMMIT = "commit";
    private static final byte FRAMED = (byte) 0xc5;
    private static final String COMMITTED_AT = "committed-at";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    /**
     * What the file held at open: room bytes by address, node states by id, the last commit's number and time,
     * and the (raw) keys of records that failed their checksum (left out).
     */
    record Contents(Map<String, byte[]> rooms, Map<String, String> nodeStates, long commit, long committedAtMillis,
                    List<String> damaged) {
        static final Contents EMPTY = new Contents(Map.of(), Map.of(), 0, 0, List.of());
    }

    /** Why a start went on with less than was last committed, for the log line and the metric. */
    record Recovery(String lost, Optional<Path> keptAs) {
    }

    private final Path directory;
    private final MVStore store;
    private final MVMap<String, byte[]> rooms;
    private final MVMap<String, String> nodeStates;
    private final MVMap<String, String> meta;
    private final Contents contents;
    private final Optional<Recovery> recovery;
    private long commit;

    private RoomStore(Path directory, MVStore store, Optional<Recovery> recovery) {
        this.directory = directory;
        this.store = store;
        this.rooms = store.openMap("rooms");
        this.nodeStates = store.openMap("node-states");
        this.meta = store.openMap("store-meta");
        this.contents = read(rooms, nodeStates, meta);
        // Kept aside with the damaged file; gone from here with the next commit, so the next start is clean.
        contents.damaged().forEach(rooms::remove);
        this.commit = contents.commit();
        this.recovery = recovery;
    }

    /**
     * Opens (or creates) the store in {@code directory}, keeping aside and reporting a damaged file.
     *
     * @throws StoreUnavailableException the directory cannot be created or written, or another process holds
     *                                   the store
     */
    static RoomStore open(Path directory, Clock wall) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot create the store directory " + directory + " ("
                    + describe(e) + "): create it writable for this user, or set admission.store.path elsewhere");
        }
        if (!Files.isWritable(directory)) {
            throw new StoreUnavailableException("the store directory " + directory + " is not writable by this user:"
                    + " fix its permissions, or set admission.store.path elsewhere");
        }
        Path file = directory.resolve(FILE);
        Optional<Marker> marker = Marker.read(directory.resolve(MARKER));
        Optional<Recovery> recovery = Optional.empty();
        // First a read-only look, so a damaged file is copied aside before anything writes to it.
        Contents seen;
        try {
            seen = Files.size(file) == 0 ? Contents.EMPTY : peek(file);
        } catch (java.nio.file.NoSuchFileException absent) {
            seen = Contents.EMPTY;
        } catch (IOException | RuntimeException unreadable) {
            lockedOrRethrow(unreadable, file);
            Path kept = keepAside(file, wall, true);
            recovery = Optional.of(new Recovery("the file cannot be read (" + describe(unreadable)
                    + "), so this start is empty" + marker.map(m -> "; its last write was at " + m.at()).orElse(""),
                    Optional.of(kept)));
            seen = Contents.EMPTY;
        }
        if (recovery.isEmpty() && !seen.damaged().isEmpty()) {
            Path kept = keepAside(file, wall, false);
            recovery = Optional.of(new Recovery(seen.damaged().size() + " room record(s) fail their checksum and are"
                    + " left out (" + String.join(", ", seen.damaged().stream().limit(5).map(RoomStore::printable).toList())
                    + (seen.damaged().size() > 5 ? ", …" : "") + ")", Optional.of(kept)));
        }
        if (recovery.isEmpty() && marker.isPresent() && seen.commit() < marker.get().commit()) {
            Marker m = marker.get();
            Optional<Path> kept = Files.exists(file) ? Optional.of(keepAside(file, wall, false)) : Optional.empty();
            String lost = seen.commit() == 0
                    ? (Files.exists(file) ? "the file holds none of its writes" : "the file is missing")
                    + " (the last was write " + m.commit() + " at " + m.at() + "), so this start is empty"
                    : "its newest writes are unreadable: restoring write " + seen.commit() + " of "
                    + Instant.ofEpochMilli(seen.committedAtMillis()) + ", "
                    + Duration.between(Instant.ofEpochMilli(seen.committedAtMillis()), m.at()).toSeconds()
                    + " s older than the last, write " + m.commit() + " at " + m.at();
            recovery = Optional.of(new Recovery(lost, kept));
        }
        MVStore opened = openWritable(file, wall, recovery.isPresent());
        RoomStore store = new RoomStore(directory, opened, recovery);
        if (marker.isPresent() && store.commit < marker.get().commit()) {
            store.commit = marker.get().commit(); // numbers keep rising after a loss, so the marker stays meaningful
        }
        if (recovery.isPresent()) {
            // Written at once (the raised commit number, damaged records gone), so the next start is clean even if
            // nothing changes before it.
            store.write(Map.of(), Map.of(), wall.millis());
        }
        return store;
    }

    /** What the file held when it was opened. */
    Contents contents() {
        return contents;
    }

    /** Set when the start went on with less than was last committed. */
    Optional<Recovery> recovery() {
        return recovery;
    }

    Path directory() {
        return directory;
    }

    /**
     * Writes the changes (a room's bytes, or empty for a room gone) and the node states as one commit, then
     * the marker.
     */
    void write(Map<String, Optional<byte[]>> changes, Map<String, String> states, long nowMillis) {
        changes.forEach((room, bytes) -> {
            if (bytes.isPresent()) {
                rooms.put(room, frame(room, bytes.get()));
            } else {
                rooms.remove(room);
            }
        });
        states.forEach(nodeStates::put);
        commit++;
        meta.put(COMMIT, Long.toString(commit));
        meta.put(COMMITTED_AT, Long.toString(nowMillis));
        meta.put("format", Integer.toString(StoreFormat.CURRENT));
        store.commit();
        new Marker(commit, Instant.ofEpochMilli(nowMillis)).write(directory.resolve(MARKER));
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

    // ---------------------------------------------------------------- opening

    private static Contents peek(Path file) {
        MVStore readOnly = new MVStore.Builder().fileName(file.toString()).readOnly().open();
        try {
            return read(readOnly.openMap("rooms"), readOnly.openMap("node-states"), readOnly.openMap("store-meta"));
        } finally {
            readOnly.closeImmediately();
        }
    }

    /** Reads every value, so a torn page shows here and not at the first write. */
    private static Contents read(MVMap<String, byte[]> rooms, MVMap<String, String> nodeStates,
                                 MVMap<String, String> meta) {
        Map<String, byte[]> roomBytes = new LinkedHashMap<>();
        List<String> damaged = new ArrayList<>();
        rooms.forEach((key, value) -> {
            byte[] payload = unframe(key, value);
            if (payload == null) {
                damaged.add(key);
            } else {
                roomBytes.put(key, payload);
            }
        });
        return new Contents(roomBytes, Map.copyOf(nodeStates), number(meta.get(COMMIT)), number(meta.get(COMMITTED_AT)),
                List.copyOf(damaged));
    }

    // ---------------------------------------------------------------- record frames

    /**
     * A record as kept: a frame byte, a CRC-32C of the room's address and the payload, the payload. MVStore
     * checks its own structure but not the bytes of a value: a torn write inside a record would otherwise be
     * read as a different record, or as one that is "not JSON" (a newer build's, as far as a reader can tell).
     */
    static byte[] frame(String key, byte[] payload) {
        byte[] framed = new byte[5 + payload.length];
        framed[0] = FRAMED;
        int crc = crc(key, payload, 0, payload.length);
        framed[1] = (byte) (crc >>> 24);
        framed[2] = (byte) (crc >>> 16);
        framed[3] = (byte) (crc >>> 8);
        framed[4] = (byte) crc;
        System.arraycopy(payload, 0, framed, 5, payload.length);
        return framed;
    }

    /** The payload of a kept record, or null if it fails its checksum. Format 1 records had no frame. */
    static byte[] unframe(String key, byte[] value) {
        if (value.length >= 2 && (value[0] & 0xff) == 0xac && (value[1] & 0xff) == 0xed) {
            return value; // format 1: Java serialization, checked by its own structure when read
        }
        if (value.length < 5 || value[0] != FRAMED) {
            return null;
        }
        int stored = ((value[1] & 0xff) << 24) | ((value[2] & 0xff) << 16) | ((value[3] & 0xff) << 8) | (value[4] & 0xff);
        if (stored != crc(key, value, 5, value.length - 5)) {
            return null;
        }
        return java.util.Arrays.copyOfRange(value, 5, value.length);
    }

    private static int crc(String key, byte[] bytes, int offset, int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static String printable(String key) {
        String clean = key.codePoints().map(c -> c >= 0x20 && c < 0x7f ? c : '?')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
    }

    private static long number(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static MVStore openWritable(Path file, Clock wall, boolean alreadyKept) {
        try {
            return writable(file);
        } catch (RuntimeException e) {
            lockedOrRethrow(e, file);
            if (!Files.exists(file)) {
                throw unavailable(file, e);
            }
            // Readable read-only, not writable: kept aside (unless it already is) and started anew.
            if (!alreadyKept) {
                Path kept = keepAside(file, wall, true);
                log.error("Store {} cannot be opened for writing ({}); starting empty, the file is kept as {}",
                        file, describe(e), kept);
            } else {
                moveAside(file, wall);
            }
            try {
                return writable(file);
            } catch (RuntimeException again) {
                throw unavailable(file, again);
            }
        }
    }

    private static MVStore writable(Path file) {
        // Commits are ours (one per write interval); MVStore's own background writer is off.
        return new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
    }

    private static void lockedOrRethrow(Exception e, Path file) {
        if (e instanceof MVStoreException m && m.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
            throw new StoreUnavailableException("the store " + file + " is in use by another process (its lock is"
                    + " held): stop that process, or give this one its own admission.store.path");
        }
        if (e instanceof MVStoreException m && m.getCause() instanceof AccessDeniedException) {
            throw unavailable(file, e);
        }
    }

    private static StoreUnavailableException unavailable(Path file, Exception e) {
        return new StoreUnavailableException("cannot open the store " + file + " (" + describe(e)
                + "): check the file's permissions and the disk, or set admission.store.path elsewhere");
    }

    /**
     * Copies (or moves) a damaged file aside, named with the time (and a number when that name is taken: starts a
     * second apart never overwrite a kept file); the copy is what an operator looks at.
     */
    private static Path keepAside(Path file, Clock wall, boolean move) {
        String base = FILE + ".damaged-" + STAMP.format(wall.instant());
        Path kept = file.resolveSibling(base);
        for (int n = 1; Files.exists(kept); n++) {
            kept = file.resolveSibling(base + "-" + n);
        }
        try {
            if (move) {
                Files.move(file, kept);
            } else {
                Files.copy(file, kept);
            }
            return kept;
        } catch (IOException e) {
            throw new StoreUnavailableException("the store " + file + " is damaged and cannot be kept aside as "
                    + kept + " (" + describe(e) + "): move it away by hand, then start again");
        }
    }

    private static void moveAside(Path file, Clock wall) {
        try {
            Files.move(file, file.resolveSibling(FILE + ".unwritable-" + STAMP.format(wall.instant())),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw unavailable(file, e);
        }
    }

    /** One line: the innermost message, without MVStore's version suffix and stack. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? root.toString() : e.getMessage();
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message = message + ": " + root.getMessage();
        }
        return message.replaceAll("\\s*\\[[0-9.]+/[0-9]+]", "").replace('\n', ' ');
    }

    /** The number and time of the last commit, written after it (write to a temporary file, then rename). */
    record Marker(long commit, Instant at) {
        static Optional<Marker> read(Path path) {
            if (!Files.exists(path)) {
                return Optional.empty();
            }
            try (var in = Files.newBufferedReader(path)) {
                Properties p = new Properties();
                p.load(in);
                return Optional.of(new Marker(Long.parseLong(p.getProperty(COMMIT).trim()),
                        Instant.ofEpochMilli(Long.parseLong(p.getProperty(COMMITTED_AT).trim()))));
            } catch (IOException | RuntimeException e) {
                log.warn("The store's commit marker {} cannot be read ({}); the store is opened without the check it"
                        + " allows", path, describe(e));
                return Optional.empty();
            }
        }

        void write(Path path) {
            Path next = path.resolveSibling(MARKER + ".next");
            try {
                Files.writeString(next, COMMIT + "=" + commit + "\n" + COMMITTED_AT + "=" + at.toEpochMilli() + "\n");
                Files.move(next, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // The commit itself is in the store; only the next start's check is weaker.
                log.warn("The store's commit marker {} cannot be written: {}", path, describe(e));
            }
        }
    }
}

package io.confgate.admission.core.internal;

import static io.confgate.admission.core.internal.StoreScenario.ROOM;
import static io.confgate.admission.core.internal.StoreScenario.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.confgate.admission.Reason;
import io.confgate.admission.core.StoreUnavailableException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged store file is never silent and never a crash loop: whatever happened to it, the start goes on with
 * what could be read, the damaged file is kept beside the store under a name with the time, and one ERROR line
 * says what was lost. A store another process holds is refused in one line, not taken over.
 */
class StoreFilesTest {
    @TempDir
    Path dir;
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final AtomicLong wall = new AtomicLong(StoreScenario.FIXTURE_WALL_MILLIS);

    private DefaultAdmissionEngine start() {
        nanos.addAndGet(1_000_000_000_000L); // a new process: its ticker starts anywhere
        return StoreScenario.engine(dir, nanos::get, wall::get, e -> { });
    }

    private Path file() {
        return dir.resolve(RoomStore.FILE);
    }

    /** Three commits, a second apart: 10, then 20, then 25 seats held. */
    private void writeThreeCommits() {
        DefaultAdmissionEngine engine = start();
        for (int i = 0; i < 25; i++) {
            engine.decide(join("s" + i));
            if (i == 9 || i == 19) {
                engine.flush();
                wall.addAndGet(1_000);
                nanos.addAndGet(1_000_000_000L);
            }
        }
        engine.close();
        wall.addAndGet(1_000);
    }

    /** Starts on the damaged store and checks the recovery's signs; returns the ERROR line. */
    private String startsWithTheLossReported(String expectedLoss) throws Exception {
        StoreLog<DefaultAdmissionEngine> started = StoreLog.capture(this::start);
        DefaultAdmissionEngine engine = started.result();
        assertEquals(1, engine.storeStats().orElseThrow().recoveries());
        List<String> errors = started.at("ERROR");
        assertEquals(1, errors.size(), String.join("\n", started.lines()));
        String error = errors.get(0);
        assertTrue(error.contains("was damaged") && error.contains(expectedLoss), error);
        assertTrue(started.lines().stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception:")),
                "no stack trace:\n" + String.join("\n", started.lines()));
        List<Path> kept = kept();
        if (Files.exists(file()) && error.contains("kept as")) {
            assertEquals(1, kept.size());
            assertTrue(error.contains(kept.get(0).toString()), error);
        }
        // The server works on, and the next start is clean.
        assertEquals(Reason.UNDER_LIMIT, engine.decide(join("after")).reason());
        engine.close();
        StoreLog<DefaultAdmissionEngine> again = StoreLog.capture(this::start);
        assertEquals(0, again.result().storeStats().orElseThrow().recoveries());
        assertEquals(List.of(), again.at("ERROR"));
        assertTrue(again.result().occupancy(ROOM).isPresent(), "what was written after the recovery is back");
        again.result().close();
        return error;
    }

    private List<Path> kept() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(RoomStore.FILE + ".damaged-")).toList();
        }
    }

    @Test
    void garbageOverTheNewestWriteIsKeptAsideAndReported() throws Exception {
        writeThreeCommits();
        byte[] bytes = Files.readAllBytes(file());
        // A torn write: garbage over the pages of the newest chunk (its header names the highest chunk number).
        Matcher chunk = Pattern.compile("chunk:([0-9a-f]+),len:").matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        int newest = -1;
        int at = -1;
        while (chunk.find()) {
            int id = Integer.parseInt(chunk.group(1), 16);
            if (id > newest) {
                newest = id;
                at = chunk.start();
            }
        }
        assertTrue(at > 0, "a chunk header");
        try (RandomAccessFile f = new RandomAccessFile(file().toFile(), "rw")) {
            f.seek(at + 200);
            byte[] garbage = new byte[600];
            new java.util.Random(7).nextBytes(garbage);
            f.write(garbage);
        }
        String error = startsWithTheLossReported("");
        assertEquals(1, kept().size(), "the damaged file is kept");
        assertTrue(error.contains("fail their checksum") || error.contains("cannot be read")
                || error.contains("older than the last"), error);
    }

    @Test
    void aFileTruncatedToHalfRestoresWhatItHoldsAndSaysHowOld() throws Exception {
        writeThreeCommits();
        long size = Files.size(file());
        try (RandomAccessFile f = new RandomAccessFile(file().toFile(), "rw")) {
            f.setLength(size / 2);
        }
        String error = startsWithTheLossReported("");
        assertEquals(1, kept().size(), "the damaged file is kept");
        assertTrue(error.contains("older than the last") || error.contains("so this start is empty"), error);
    }

    @Test
    void anEmptyFileStartsEmptyAndSaysSo() throws Exception {
        writeThreeCommits();
        Files.write(file(), new byte[0]);
        String error = startsWithTheLossReported("the file holds none of its writes");
        assertTrue(error.contains("so this start is empty") && error.contains("write 3 at"), error);
        assertEquals(1, kept().size(), "the empty file is kept too");
    }

    @Test
    void aMissingFileStartsEmptyAndSaysSo() throws Exception {
        writeThreeCommits();
        Files.delete(file());
        String error = startsWithTheLossReported("the file is missing");
        assertTrue(error.contains("so this start is empty"), error);
    }

    /**
     * The recovery is written at once: a crash before any change, a crash loop, still leaves a clean next start,
     * and a second damaged start within the same second keeps both damaged files.
     */
    @Test
    void aRecoveryIsWrittenAtOnceAndKeptFilesAreNeverOverwritten() throws Exception {
        writeThreeCommits();
        Files.write(file(), new byte[0]);
        StoreLog<DefaultAdmissionEngine> first = StoreLog.capture(this::start);
        assertEquals(1, first.result().storeStats().orElseThrow().recoveries());
        first.result().crash(); // kill -9 before anything changed
        StoreLog<DefaultAdmissionEngine> clean = StoreLog.capture(this::start);
        assertEquals(0, clean.result().storeStats().orElseThrow().recoveries(), String.join("\n", clean.lines()));
        assertEquals(List.of(), clean.at("ERROR"));
        clean.result().crash();

        Files.write(file(), new byte[0]); // damaged again, in the same second of the wall clock
        StoreLog<DefaultAdmissionEngine> again = StoreLog.capture(this::start);
        assertEquals(1, again.result().storeStats().orElseThrow().recoveries());
        again.result().close();
        assertEquals(2, kept().size(), "the first kept file is not overwritten: " + kept());
    }

    @Test
    void aStoreInUseIsRefusedInOneLineAndNotTakenOver() throws Exception {
        DefaultAdmissionEngine running = start();
        running.decide(join("first"));
        running.flush();
        // A second process on the same store (its own ticker: the running one's clock must not move).
        StoreUnavailableException refused = assertThrows(StoreUnavailableException.class,
                () -> StoreScenario.engine(dir, () -> 1L, wall::get, e -> { }));
        assertTrue(refused.getMessage().contains("in use by another process"), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"), "one line");
        assertEquals(0, refused.getStackTrace().length, "nothing to print but the line");
        assertEquals(Reason.UNDER_LIMIT, running.decide(join("second")).reason(), "the running one is untouched");
        running.close();
        DefaultAdmissionEngine next = start();
        assertEquals(2, next.occupancy(ROOM).orElseThrow().reservedSeats());
        next.close();
    }

    @Test
    void aStorePathThatIsAFileIsRefusedInOneLine() throws Exception {
        Path notADirectory = dir.resolve("plain-file");
        Files.writeString(notADirectory, "x");
        StoreUnavailableException refused = assertThrows(StoreUnavailableException.class, () ->
                StoreScenario.engine(notADirectory.resolve("store"), nanos::get, wall::get, e -> { }));
        assertTrue(refused.getMessage().startsWith("cannot create the store directory"), refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));
    }
}

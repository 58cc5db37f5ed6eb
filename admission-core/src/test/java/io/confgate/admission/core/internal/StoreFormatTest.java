package io.confgate.admission.core.internal;

import static io.confgate.admission.core.internal.StoreScenario.FIXTURE_WALL_MILLIS;
import static io.confgate.admission.core.internal.StoreScenario.ROOM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.confgate.admission.NodeState;
import io.confgate.admission.StoreStats;
import io.confgate.admission.promotion.HandState;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stored form across builds: every fixture under {@code store-fixtures/} (each written by the build its
 * name says, with {@link StoreScenario#main}) is read and migrated by this build; what this build cannot read
 * is left out by the item, named and counted, never stopping the start; reads write nothing.
 */
class StoreFormatTest {
    @TempDir
    Path dir;
    private final AtomicLong nanos = new AtomicLong(77_000_000_000L);
    private final AtomicLong wall = new AtomicLong(FIXTURE_WALL_MILLIS + 1_000);

    private DefaultAdmissionEngine start() {
        nanos.addAndGet(1_000_000_000_000L); // a new process: its ticker starts anywhere
        return StoreScenario.engine(dir, nanos::get, wall::get, e -> { });
    }

    static Stream<Path> fixtures() throws IOException, URISyntaxException {
        Path root = Path.of(StoreFormatTest.class.getResource("/store-fixtures").toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.sorted().toList().stream();
        }
    }

    @Test
    void thisBuildsFormatHasAFixture() throws Exception {
        // A format change without a fixture written by its build would leave the next change untested.
        assertTrue(fixtures().anyMatch(p -> p.getFileName().toString().startsWith("format-" + StoreFormat.CURRENT
                + "-")), "store-fixtures/ needs a fixture of format " + StoreFormat.CURRENT
                + " (write it with StoreScenario.main)");
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void everyFixtureIsReadAndMigrated(Path fixture) throws Exception {
        try (Stream<Path> files = Files.list(fixture)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Properties ids = StoreScenario.ids(fixture);
        StoreLog<DefaultAdmissionEngine> started = StoreLog.capture(this::start);
        DefaultAdmissionEngine engine = started.result();
        assertEquals(new StoreStats(0, 0, 0, 0, 0), engine.storeStats().orElseThrow(), "nothing dropped or lost");
        assertEquals(List.of(), started.at("WARN"));
        assertEquals(List.of(), started.at("ERROR"));
        StoreScenario.check(engine, ids);
        engine.close();

        // Written back in this build's format.
        try (MVStore store = new MVStore.Builder().fileName(dir.resolve(RoomStore.FILE).toString()).readOnly()
                .open()) {
            MVMap<String, byte[]> rooms = store.openMap("rooms");
            byte[] payload = RoomStore.unframe(ROOM.toString(), rooms.get(ROOM.toString()));
            ObjectNode room = StoreFormat.read(payload);
            assertEquals(StoreFormat.CURRENT, room.get("format").asInt());
            assertEquals('{', new String(payload, StandardCharsets.UTF_8).charAt(0));
        }
        DefaultAdmissionEngine again = start();
        assertEquals(21, again.occupancy(ROOM).orElseThrow().reservedSeats(), "with the promoted member's seat");
        again.close();
    }

    @Test
    void anUnknownValueIsLeftOutWithAWarnAndCountedAndTheRestStarts() throws Exception {
        DefaultAdmissionEngine first = start();
        Properties ids = StoreScenario.fill(first);
        first.close();
        edit(room -> {
            for (var hand : room.path("promotions").path("pending")) {
                ((ObjectNode) hand).put("state", "SNOOZED"); // a state a later build might have added
            }
        }, "MAINTENANCE");

        StoreLog<DefaultAdmissionEngine> started = StoreLog.capture(this::start);
        DefaultAdmissionEngine engine = started.result();
        assertEquals(new StoreStats(0, 0, 0, 2, 0), engine.storeStats().orElseThrow());
        assertTrue(engine.promotions().status(ROOM, ids.getProperty("waiting")).isEmpty(), "the unknown hand is out");
        assertEquals(HandState.APPROVED, engine.promotions().status(ROOM, ids.getProperty("approved")).orElseThrow()
                .state(), "the rest of the room is back");
        assertEquals(20, engine.occupancy(ROOM).orElseThrow().reservedSeats());
        assertEquals(NodeState.UP, engine.nodeLoads().get(1).state(), "an unknown node state: as configured");
        List<String> warns = started.at("WARN");
        assertEquals(2, warns.size(), String.join("\n", started.lines()));
        assertTrue(warns.stream().anyMatch(w -> w.contains("Room " + ROOM) && w.contains("unknown hand state"
                + " 'SNOOZED'") && w.contains(ids.getProperty("waiting"))), warns.toString());
        assertTrue(warns.stream().anyMatch(w -> w.contains("Node v2") && w.contains("'MAINTENANCE'")), warns.toString());
        assertEquals(List.of(), started.at("ERROR"));
        engine.close();
    }

    @Test
    void anUnreadableRoomIsLeftOutWithAWarnAndCountedAndTheOthersStart() throws Exception {
        DefaultAdmissionEngine first = start();
        StoreScenario.fill(first);
        first.close();
        try (MVStore store = new MVStore.Builder().fileName(dir.resolve(RoomStore.FILE).toString()).open()) {
            MVMap<String, byte[]> rooms = store.openMap("rooms");
            // Whole records (their checksums hold) that this build cannot read.
            put(rooms, "torn@conference.meet.jitsi", "{\"format\":2,\"room\":");
            put(rooms, "future@conference.meet.jitsi", "{\"format\":3,\"room\":\"future@conference.meet.jitsi\"}");
            put(rooms, "nameless@conference.meet.jitsi", "{\"format\":2}");
            store.commit();
        }

        StoreLog<DefaultAdmissionEngine> started = StoreLog.capture(this::start);
        DefaultAdmissionEngine engine = started.result();
        assertEquals(new StoreStats(0, 0, 3, 0, 0), engine.storeStats().orElseThrow());
        assertEquals(9, engine.occupancy(ROOM).orElseThrow().mainMembers(), "the readable room is back");
        List<String> warns = started.at("WARN");
        assertEquals(3, warns.size(), String.join("\n", started.lines()));
        assertTrue(warns.stream().anyMatch(w -> w.contains("torn@conference.meet.jitsi") && w.contains("not JSON")));
        assertTrue(warns.stream().anyMatch(w -> w.contains("future@conference.meet.jitsi")
                && w.contains("newer build (format 3)")));
        assertTrue(warns.stream().anyMatch(w -> w.contains("nameless@conference.meet.jitsi") && w.contains("'room'")));
        assertTrue(started.lines().stream().noneMatch(l -> l.startsWith("\tat ")), "no stack trace");
        engine.close();
    }

    @Test
    void readsWriteNothingAndChangesAreWritten() throws Exception {
        DefaultAdmissionEngine engine = start();
        Properties ids = StoreScenario.fill(engine);
        engine.flush();
        long writes = engine.storeStats().orElseThrow().writes();
        for (int i = 0; i < 5; i++) {
            engine.promotions().status(ROOM, ids.getProperty("waiting"));
            engine.promotions().pending(ROOM, StoreScenario.moderator());
            engine.occupancy(ROOM);
            engine.totals();
            engine.decide(StoreScenario.join("s0")); // a joined member asking again: answered, nothing changes
            engine.flush();
        }
        assertEquals(writes, engine.storeStats().orElseThrow().writes(), "status polls and reads wrote nothing");
        engine.decide(StoreScenario.join("newcomer"));
        engine.flush();
        assertEquals(writes + 1, engine.storeStats().orElseThrow().writes(), "a change is written");
        engine.close();
    }

    private static void put(MVMap<String, byte[]> rooms, String key, String json) {
        rooms.put(key, RoomStore.frame(key, json.getBytes(StandardCharsets.UTF_8)));
    }

    /** Rewrites the scenario's room and the v2 node state in the file, as another build might have. */
    private void edit(java.util.function.Consumer<ObjectNode> room, String v2State) throws Exception {
        try (MVStore store = new MVStore.Builder().fileName(dir.resolve(RoomStore.FILE).toString()).open()) {
            MVMap<String, byte[]> rooms = store.openMap("rooms");
            ObjectNode tree = StoreFormat.read(RoomStore.unframe(ROOM.toString(), rooms.get(ROOM.toString())));
            room.accept(tree);
            rooms.put(ROOM.toString(), RoomStore.frame(ROOM.toString(), StoreFormat.JSON.writeValueAsBytes(tree)));
            MVMap<String, String> states = store.openMap("node-states");
            states.put("v2", v2State);
            store.commit();
        }
    }
}

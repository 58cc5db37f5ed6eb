package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three server processes behind Debian's HAProxy, with README's *Running several shards* configuration taken from
 * README itself (only its ports are changed): rooms routed by {@code ?room=} whatever its spelling, promotion calls
 * with them; a shard killed with kill -9 (the others keep their rooms, its rooms answered elsewhere), back on its
 * store (its rooms back, a room that moved meanwhile not split); a shard stopped with SIGTERM under load, with no
 * request answered 503 or cut. The test fails, never skips, without {@code haproxy} ({@code .ci/run} installs it).
 */
class HaproxyShardsTest {
    private static final String SECRET = "shards-secret";
    private static final String P = "/conference-request/v1/promotion/";
    /** Short, so what a returning shard restored of a moved room expires within the test. */
    private static final int JOIN_LATENCY_SECONDS = 15;

    @TempDir
    Path dir;
    private final List<ServerProcess> started = new CopyOnWriteArrayList<>();
    private Process haproxy;
    private final int[] ports = new int[3];
    private URI proxy;

    @AfterEach
    void stopAll() throws InterruptedException {
        for (ServerProcess p : started) {
            p.kill9();
        }
        if (haproxy != null) {
            haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** README's HAProxy configuration, verbatim but for the ports. */
    static String readmeConfiguration() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).resolveSibling("README.md"));
        int section = readme.indexOf("### Running several shards");
        int start = readme.indexOf("```haproxy\n", section) + "```haproxy\n".length();
        return readme.substring(start, readme.indexOf("```", start));
    }

    private ServerProcess startShard(int i) throws Exception {
        Path config = dir.resolve("shard" + (i + 1) + ".conf");
        Files.writeString(config, """
                jicofo.visitors { enabled = true, max-participants = 30, vnode-join-latency-interval = %d seconds }
                jicofo.xmpp.visitors.v1.domain = "auth.v1.meet.jitsi"
                jicofo.xmpp.visitors.v2.domain = "auth.v2.meet.jitsi"
                jicofo.rest { host = "127.0.0.1", port = %d }
                admission.store { path = "%s", write-interval = 200 ms }
                admission.http { shutdown-grace = 10 seconds, drain-delay = 2 seconds }
                admission.promotion.auto-allow-promotion = false
                admission.http.promotion-requests-per-client-per-second = 1000
                admission.jwt.hs256-secret = "%s"
                """.formatted(JOIN_LATENCY_SECONDS, ports[i], dir.resolve("store" + (i + 1)), SECRET));
        ServerProcess shard = ServerProcess.launch(config, ports[i], dir);
        started.add(shard);
        return shard.awaitHealthy();
    }

    private void startHaproxy() throws Exception {
        int front = ItSupport.freePort();
        String config = readmeConfiguration();
        assertTrue(config.contains("    bind :8080\n") && config.contains("127.0.0.1:8881 check"), config);
        config = config.replace("    bind :8080\n", "    bind 127.0.0.1:" + front + "\n");
        for (int i = 0; i < 3; i++) {
            config = config.replace("127.0.0.1:888" + (i + 1) + " ", "127.0.0.1:" + ports[i] + " ");
        }
        Path file = Files.writeString(dir.resolve("haproxy.cfg"), config);
        haproxy = new ProcessBuilder("haproxy", "-f", file.toString(), "-db").redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        proxy = URI.create("http://127.0.0.1:" + front);
        ItSupport.await("HAProxy answering", 20, () -> {
            try {
                return get(proxy, "/about/health").statusCode() == 200;
            } catch (Exception notYet) {
                return false;
            }
        });
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return ItSupport.get(base, path);
    }

    private static HttpResponse<String> post(URI base, String path, String body, String token) throws Exception {
        return ItSupport.post(base, path, body, token);
    }

    private static String address(String room) {
        return room + "@conference.meet.jitsi";
    }

    private static String q(String room) {
        return "?room=" + URLEncoder.encode(room, StandardCharsets.UTF_8);
    }

    /** An answer through the proxy and the shard (0..2) that gave it ({@code X-Admission-Shard}). */
    private record Answer(JsonNode body, int shard) {
    }

    /** A conference request through the proxy, the room named in the query as {@code spelling}. */
    private Answer join(String room, String spelling, String session) throws Exception {
        HttpResponse<String> r = post(proxy, "/conference-request/v1" + q(spelling), webClientBody(address(room),
                session), null);
        assertEquals(200, r.statusCode(), room + ": " + r.body());
        return new Answer(HttpHarness.JSON.readTree(r.body()), shardOf(r));
    }

    private static int shardOf(HttpResponse<String> r) {
        String name = r.headers().firstValue("X-Admission-Shard").orElseThrow(() -> new AssertionError(
                "no X-Admission-Shard: " + r.headers()));
        return Integer.parseInt(name.substring(1)) - 1; // s1..s3
    }

    private ServerProcess shard(int i) {
        return started.stream().filter(p -> p.uri().getPort() == ports[i] && p.process().isAlive()).reduce((a, b) -> b)
                .orElseThrow();
    }

    private double rooms(int i) throws Exception {
        return shard(i).metric("admission_rooms");
    }

    private double allRooms() throws Exception {
        return rooms(0) + rooms(1) + rooms(2);
    }

    @Test
    void roomsAreRoutedKeptAndNeverSplitAcrossAKilledAndReturningShard() throws Exception {
        for (int i = 0; i < 3; i++) {
            ports[i] = ItSupport.freePort();
            startShard(i);
        }
        startHaproxy();

        // Per-room routing: joins under three spellings and promotion calls, all through the proxy, one shard each.
        String visitor = ItSupport.token(SECRET, "viewer", false);
        Map<String, Integer> owner = new LinkedHashMap<>();
        Map<String, String> hands = new LinkedHashMap<>();
        for (int r = 0; r < 12; r++) {
            String room = "room-" + r;
            int shard = join(room, room, "a").shard();
            assertEquals(shard, join(room, room.toUpperCase(), "b").shard(), room + " in capitals");
            assertEquals(shard, join(room, address(room), "c").shard(), room + " as an address");
            HttpResponse<String> raised = post(proxy, P + "raise-hand" + q(room), "{\"room\":\"" + address(room)
                    + "\",\"sessionId\":\"viewer\"}", visitor);
            assertEquals(200, raised.statusCode(), raised.body());
            assertEquals(shard, shardOf(raised), room + ": the hand is raised where the room is");
            String id = HttpHarness.JSON.readTree(raised.body()).get("requestId").asText();
            HttpResponse<String> status = get(proxy, P + "status" + q(room.toUpperCase()) + "&requestId=" + id);
            assertEquals(200, status.statusCode(), "the hand is found where it was raised: " + status.body());
            owner.put(room, shard);
            hands.put(room, id);
        }
        assertEquals(12.0, allRooms(), "every room on exactly one shard");
        assertEquals(3, owner.values().stream().distinct().count(), "the rooms are spread over the three shards");
        HttpResponse<String> mismatch = post(proxy, "/conference-request/v1" + q("room-0"),
                webClientBody(address("room-1"), "x"), null);
        assertEquals(400, mismatch.statusCode(), "one request, one room: " + mismatch.body());

        // A room with seats only (no hand) on the shard that will be lost.
        int lost = owner.get("room-0");
        String moved = null;
        for (int n = 0; moved == null; n++) {
            if (join("plain-" + n, "plain-" + n, "a").shard() == lost) {
                moved = "plain-" + n;
            }
        }
        long lostHandRooms = owner.values().stream().filter(s -> s == lost).count();

        // kill -9: the others keep their rooms; the lost shard's rooms are answered elsewhere, without an error.
        double[] before = {rooms(0), rooms(1), rooms(2)};
        shard(lost).awaitStoreWritten();
        shard(lost).kill9();
        for (int i = 0; i < 3; i++) {
            if (i != lost) {
                assertEquals(before[i], rooms(i), "shard s" + (i + 1) + " keeps its rooms");
            }
        }
        int survivor = -1;
        for (int i = 0; i < 30; i++) {
            Answer a = join(moved, moved, "during-outage-" + i);
            assertTrue(a.shard() != lost, "answered by a survivor");
            survivor = a.shard();
        }
        Answer full = join(moved, moved, "thirty-first");
        assertEquals("v1", full.body().path("vnode").asText(), "the survivor holds the room, full: " + full.body());
        assertEquals(survivor, full.shard());
        int other = 3 - survivor - lost;

        // The lost shard back on its store: its rooms come back; the moved room stays where it moved.
        startShard(lost);
        assertEquals(before[lost], rooms(lost), "its rooms are restored (the moved room's old copy too)");
        ItSupport.await("HAProxy takes the shard back", 20, () -> {
            try {
                return haproxyLog().contains("s" + (lost + 1) + " is UP");
            } catch (IOException e) {
                return false;
            }
        });
        Answer after = join(moved, moved.toUpperCase(), "after-return");
        assertEquals(survivor, after.shard(), "the stick table keeps the moved room on the survivor");
        assertEquals("v1", after.body().path("vnode").asText(), "where it is full, not split: " + after.body());
        for (Map.Entry<String, Integer> e : owner.entrySet()) {
            if (e.getValue() == lost) {
                HttpResponse<String> status = get(proxy, P + "status" + q(e.getKey()) + "&requestId="
                        + hands.get(e.getKey()));
                assertEquals(200, status.statusCode(), e.getKey() + ": back on its shard with its hand");
                assertEquals(lost, shardOf(status));
            }
        }
        // The returning shard's old copy of the moved room gets no request; its seats expire at their deadline and
        // the room is forgotten there (the rooms with a pending hand stay): the moved room is counted once.
        ItSupport.await("the old copy's seats expired on the returning shard", 3 * JOIN_LATENCY_SECONDS, () -> {
            try {
                return rooms(lost) == lostHandRooms;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(survivor, join(moved, moved, "still-here").shard());
        long handRoomsElsewhere = owner.values().stream().filter(s -> s != lost).count();
        assertTrue(rooms(survivor) + rooms(other) >= handRoomsElsewhere + 1, "the moved room lives on the survivor");
        assertEquals(lostHandRooms, (long) rooms(lost), "and not on the returning shard");
    }

    @Test
    void sigtermOfAShardUnderLoadAnswersEveryRequest() throws Exception {
        for (int i = 0; i < 3; i++) {
            ports[i] = ItSupport.freePort();
        }
        for (int i = 0; i < 3; i++) {
            startShard(i);
        }
        startHaproxy();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger toldToAskAgain = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String room = "load-" + (i % 40);
                    try {
                        HttpResponse<String> r = post(proxy, "/conference-request/v1" + q(room),
                                webClientBody(address(room), "t" + thread + "-" + i), null);
                        if (r.statusCode() != 200) {
                            failures.add(r.statusCode() + " " + r.body());
                        } else if ("STOPPING".equals(r.headers().firstValue("X-Admission-Reason").orElse(""))) {
                            toldToAskAgain.incrementAndGet();
                        } else {
                            answered.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            });
            worker.start();
            load.add(worker);
        }
        Thread.sleep(1_500);
        ServerProcess stopped = shard(1);
        stopped.process().destroy(); // SIGTERM
        assertTrue(stopped.process().waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, stopped.process().exitValue());
        Thread.sleep(1_000); // the load goes on against the two left
        stop.set(true);
        for (Thread worker : load) {
            worker.join(15_000);
        }
        assertTrue(answered.get() > 200, "the load ran: " + answered.get());
        assertEquals(List.of(), failures, "no request answered 503 or cut (" + toldToAskAgain.get()
                + " told to ask again)");
        assertFalse(haproxyLog().contains(" 503 "), "HAProxy answered no 503 itself");
    }

    private String haproxyLog() throws IOException {
        return Files.readString(dir.resolve("haproxy.log"));
    }
}

package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server as a process, stopped as a container runtime stops it: kill -9 and a restart on the
 * same {@code admission.store.path}; SIGTERM under load.
 */
class ServerProcessTest {
    private static final String SECRET = "process-secret";
    private static final String ROOM = "townhall@conference.meet.jitsi";
    private static final String P = "/conference-request/v1/promotion/";

    @TempDir
    Path dir;

    /** Every process a test started: none outlives its test, whatever assertion failed. */
    private final List<ServerProcess> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterEach
    void stopWhatIsStillRunning() throws InterruptedException {
        for (ServerProcess p : started) {
            p.kill9();
        }
    }

    /** The configuration, on {@code port}, its store in {@code data/} of the test's directory. */
    private Path config(int port) throws IOException {
        Path config = dir.resolve("admission-" + port + ".conf");
        Files.writeString(config, """
                jicofo.visitors { enabled = true, max-participants = 30 }
                jicofo.xmpp.visitors.v1.domain = "auth.v1.meet.jitsi"
                jicofo.xmpp.visitors.v2.domain = "auth.v2.meet.jitsi"
                jicofo.rest { host = "127.0.0.1", port = %d }
                admission.store { path = "%s", write-interval = 200 ms }
                admission.http { shutdown-grace = 5 seconds, drain-delay = 500 ms }
                admission.http.promotion-requests-per-client-per-second = 1000
                admission.promotion.auto-allow-promotion = false
                admission.jwt.hs256-secret = "%s"
                """.formatted(port, dir.resolve("data"), SECRET));
        return config;
    }

    private ServerProcess start(int port) throws Exception {
        ServerProcess server = ServerProcess.launch(config(port), port, dir);
        started.add(server);
        return server.awaitHealthy();
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return ItSupport.get(base, path);
    }

    private static HttpResponse<String> post(URI base, String path, String body, String token) throws Exception {
        return ItSupport.post(base, path, body, token);
    }

    private static String token(String user, boolean moderator) {
        return ItSupport.token(SECRET, user, moderator);
    }

    private static void awaitWritten(ServerProcess server) throws Exception {
        server.awaitStoreWritten();
    }

    private static int freePort() throws IOException {
        return ItSupport.freePort();
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), r.body());
        return HttpHarness.parse(r);
    }

    @Test
    void afterKill9ARestartOnTheSameStoreResumesEverything() throws Exception {
        int port = freePort();
        ServerProcess first = start(port);
        ItSupport.fillRoom(body -> post(first.uri(), "/conference-request/v1", body, null).statusCode(), ROOM, "s");
        String pending = json(post(first.uri(), P + "raise-hand", "{\"room\":\"" + ROOM + "\",\"sessionId\":\"w\"}",
                token("w", false))).get("requestId").asText();
        String approved = json(post(first.uri(), P + "raise-hand", "{\"room\":\"" + ROOM + "\",\"sessionId\":\"a\"}",
                token("a", false))).get("requestId").asText();
        String ticket = json(post(first.uri(), P + "approve", "{\"room\":\"" + ROOM + "\",\"requestIds\":[\""
                + approved + "\"]}", token("host", true))).get("hands").get(0).get("requestId").asText();
        assertEquals(approved, ticket);
        String ticketId = json(get(first.uri(), P + "status?room=" + ROOM + "&requestId=" + approved)).get("ticket")
                .asText();
        json(post(first.uri(), P + "demote", "{\"room\":\"" + ROOM + "\",\"memberKey\":\"s3\"}", token("host", true)));
        json(post(first.uri(), "/conference-request/v1", webClientBody(ROOM, "s30"), null)); // the freed seat: full again
        awaitWritten(first);
        first.kill9();

        ServerProcess second = start(port);
        try {
            assertEquals("v1", json(post(second.uri(), "/conference-request/v1", webClientBody(ROOM, "late"), null))
                    .path("vnode").asText(), "the room is still full");
            assertEquals("pending", json(get(second.uri(), P + "status?room=" + ROOM + "&requestId=" + pending))
                    .get("state").asText(), "the hand is still pending");
            String join = "{\"room\":\"" + ROOM + "\",\"sessionId\":\"a\",\"promotionTicket\":\"" + ticketId
                    + "\",\"properties\":{\"visitors-version\":1}}";
            HttpResponse<String> redeemed = post(second.uri(), "/conference-request/v1", join, token("a", false));
            assertEquals("REDEEMED", redeemed.headers().firstValue("X-Admission-Ticket").orElseThrow());
            HttpResponse<String> again = post(second.uri(), "/conference-request/v1",
                    join.replace("\"sessionId\":\"a\"", "\"sessionId\":\"a2\""), token("a", false));
            assertTrue(again.headers().firstValue("X-Admission-Ticket").orElseThrow().matches(
                    "ALREADY_USED|OTHER_IDENTITY"), "a ticket redeems once");
            HttpResponse<String> demoted = post(second.uri(), "/conference-request/v1", webClientBody(ROOM, "s3"), null);
            assertEquals("DEMOTED", demoted.headers().firstValue("X-Admission-Reason").orElseThrow());
        } finally {
            second.process().destroy();
            second.process().waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSecondProcessOnTheSameStoreIsRefusedInOneLineAndTheFirstKeepsIt() throws Exception {
        ServerProcess first = start(freePort());
        json(post(first.uri(), "/conference-request/v1", webClientBody(ROOM, "s1"), null));
        int otherPort = freePort();
        ServerProcess second = ServerProcess.launch(config(otherPort), otherPort, dir);
        started.add(second);
        assertTrue(second.process().waitFor(30, TimeUnit.SECONDS), "the second process stops by itself");
        assertEquals(2, second.process().exitValue());
        List<String> lines = second.output().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line, no stack trace:\n" + second.output());
        assertTrue(lines.get(0).startsWith("Cannot start: the store ") && lines.get(0).contains("in use by another"
                + " process"), lines.get(0));
        assertEquals(200, first.get("/about/health").statusCode(), "the first one runs on");
        json(post(first.uri(), "/conference-request/v1", webClientBody(ROOM, "s2"), null));
        awaitWritten(first); // the first still writes its store
        first.kill9();
        ServerProcess third = start(freePort());
        assertEquals(2.0, third.metric("admission_reserved_seats"), "both seats, written by the first process only");
    }

    @Test
    void aStoreFileEmptiedByACrashIsReportedInOneErrorLineAndTheServerStarts() throws Exception {
        int port = freePort();
        ServerProcess first = start(port);
        json(post(first.uri(), "/conference-request/v1", webClientBody(ROOM, "s1"), null));
        awaitWritten(first);
        first.kill9();
        Path file = dir.resolve("data").resolve("admission.mv.db");
        Files.write(file, new byte[0]); // what a full disk or a bad copy can leave

        ServerProcess second = start(port);
        String log = second.output();
        List<String> errors = log.lines().filter(l -> l.contains(" ERROR ")).toList();
        assertEquals(1, errors.size(), log);
        assertTrue(errors.get(0).contains("was damaged") && errors.get(0).contains("so this start is empty")
                && errors.get(0).contains("kept as"), errors.get(0));
        assertTrue(log.lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace:\n" + log);
        assertEquals(1.0, second.metric("admission_store_recoveries_total"));
        try (var kept = Files.list(dir.resolve("data"))) {
            assertEquals(1, kept.filter(p -> p.getFileName().toString().startsWith("admission.mv.db.damaged-")).count());
        }
        assertEquals(200, post(second.uri(), "/conference-request/v1", webClientBody(ROOM, "s2"), null).statusCode());
    }

    @Test
    void sigtermUnderLoadCutsNoRequestAndExitsWithinTheGrace() throws Exception {
        ServerProcess server = start(freePort());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger toldToAskAgain = new AtomicInteger();
        List<Throwable> cut = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> load = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        HttpResponse<String> r = post(server.uri(), "/conference-request/v1",
                                webClientBody("load-" + (i % 50) + "@conference.meet.jitsi", "t" + thread + "-" + i), null);
                        if (r.statusCode() == 200 && "STOPPING".equals(r.headers().firstValue("X-Admission-Reason")
                                .orElse(""))) {
                            toldToAskAgain.incrementAndGet(); // arrived after the stop began: asks again elsewhere
                        } else if (r.statusCode() == 200) {
                            answered.incrementAndGet();
                        } else {
                            cut.add(new AssertionError("status " + r.statusCode() + ": " + r.body()));
                        }
                    } catch (Exception e) {
                        cut.add(e);
                    }
                }
            });
            worker.start();
            load.add(worker);
        }
        // The load balancer: checks health every 100 ms and stops sending after two failures (README: fall x
        // interval + check timeout <= drain-delay, here 2 x 100 ms + 100 ms against 500 ms). A client that ignores
        // the health check and keeps sending into the closing socket can always lose a request in the kernel's
        // queue at the instant the process ends; that is what the drain delay exists to avoid.
        Thread balancer = new Thread(() -> {
            int failures = 0;
            while (!stop.get()) {
                try {
                    failures = ItSupport.get(server.uri(), "/about/health").statusCode() == 200 ? 0 : failures + 1;
                } catch (Exception e) {
                    failures++;
                }
                if (failures >= 2) {
                    stop.set(true);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        balancer.start();
        Thread.sleep(1_500);
        long sigterm = System.nanoTime();
        server.process().destroy(); // SIGTERM
        assertTrue(server.process().waitFor(20, TimeUnit.SECONDS), "the process exits");
        long took = System.nanoTime() - sigterm;
        stop.set(true);
        balancer.join(5_000);
        for (Thread worker : load) {
            worker.join(10_000);
        }
        assertTrue(answered.get() > 100, "the load ran: " + answered.get());
        assertTrue(cut.isEmpty(), "no request cut by the stop: " + cut + " (" + toldToAskAgain.get()
                + " told to ask again)");
        assertTrue(took < TimeUnit.SECONDS.toNanos(6), "within admission.http.shutdown-grace (5 s): " + took / 1_000_000
                + " ms");
        assertEquals(0, server.process().exitValue(), "a graceful stop is a success (a kill is 137)");
        String log = server.output();
        assertTrue(log.contains("Stopping: /about/health answers 503"), log);
        assertTrue(log.contains("Store written ("), log);
        assertTrue(log.contains("Stopped in "), log);
        assertTrue(log.indexOf("Stopping:") < log.indexOf("Store written") && log.indexOf("Store written")
                < log.indexOf("Stopped in "), "in that order:\n" + log);
    }
}

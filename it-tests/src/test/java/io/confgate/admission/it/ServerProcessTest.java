package io.confgate.admission.it;

import static io.confgate.admission.it.HttpHarness.webClientBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private record Server(Process process, URI uri) {
    }

    /** Every process a test started: none outlives its test, whatever assertion failed. */
    private final List<Process> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterEach
    void stopWhatIsStillRunning() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Server start(int port) throws Exception {
        Path config = dir.resolve("admission.conf");
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
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.confgate.admission.server.AdmissionServerMain", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("server-" + System.nanoTime() + ".log").toFile())
                .start();
        started.add(process);
        URI uri = URI.create("http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (get(uri, "/about/health").statusCode() == 200) {
                    return new Server(process, uri);
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the server did not start");
    }

    private HttpResponse<String> get(URI uri, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(URI uri, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token(String user, boolean moderator) {
        return JWT.create().withClaim("context", Map.of("user", Map.of("id", user, "moderator", moderator)))
                .sign(Algorithm.HMAC256(SECRET));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        assertEquals(200, r.statusCode(), r.body());
        return HttpHarness.parse(r);
    }

    @Test
    void afterKill9ARestartOnTheSameStoreResumesEverything() throws Exception {
        int port = freePort();
        Server first = start(port);
        for (int i = 0; i < 30; i++) {
            json(post(first.uri(), "/conference-request/v1", webClientBody(ROOM, "s" + i), null));
        }
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
        Thread.sleep(800); // past the write interval
        first.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9

        Server second = start(port);
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
    void sigtermUnderLoadCutsNoRequestAndExitsWithinTheGrace() throws Exception {
        Server server = start(freePort());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Throwable> cut = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> load = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        HttpResponse<String> r = post(server.uri(), "/conference-request/v1",
                                webClientBody("load-" + (i % 50) + "@conference.meet.jitsi", "t" + thread + "-" + i), null);
                        if (r.statusCode() == 200) {
                            answered.incrementAndGet();
                        } else if (r.statusCode() == 503) {
                            refused.incrementAndGet(); // arrived after the stop began: refused with an answer
                        } else {
                            cut.add(new AssertionError("status " + r.statusCode() + ": " + r.body()));
                        }
                    } catch (ConnectException notAccepted) {
                        refused.incrementAndGet(); // after the drain: never accepted, so never cut
                        stop.set(true);
                    } catch (Exception e) {
                        cut.add(e);
                    }
                }
            });
            worker.start();
            load.add(worker);
        }
        Thread.sleep(1_500);
        long sigterm = System.nanoTime();
        server.process().destroy(); // SIGTERM
        assertTrue(server.process().waitFor(20, TimeUnit.SECONDS), "the process exits");
        long took = System.nanoTime() - sigterm;
        stop.set(true);
        for (Thread worker : load) {
            worker.join(10_000);
        }
        assertTrue(answered.get() > 100, "the load ran: " + answered.get());
        assertTrue(cut.isEmpty(), "no request cut by the stop: " + cut);
        assertTrue(took < TimeUnit.SECONDS.toNanos(6), "within admission.http.shutdown-grace (5 s): " + took / 1_000_000
                + " ms");
        assertEquals(143, server.process().exitValue(), "the JVM's exit after SIGTERM and its hooks (a kill is 137)");
    }
}

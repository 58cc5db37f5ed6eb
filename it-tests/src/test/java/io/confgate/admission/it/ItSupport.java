package io.confgate.admission.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** What the it-tests share: free ports, signed tokens as Jitsi deployments issue them, a full room, polling. */
final class ItSupport {
    /** The main room's limit in the embedded reference deployment. */
    static final int MAX_PARTICIPANTS = 30;

    private ItSupport() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A JWT with {@code context.user.id} and {@code context.user.moderator}, signed with HS256. */
    static String token(String secret, String userId, boolean moderator) {
        return JWT.create().withClaim("context", Map.of("user", Map.of("id", userId, "moderator", moderator)))
                .sign(Algorithm.HMAC256(secret));
    }

    private static final java.net.http.HttpClient CLIENT = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(java.time.Duration.ofSeconds(2)).build();

    /** GET {@code path} of {@code base}, 10 s at most. */
    static java.net.http.HttpResponse<String> get(java.net.URI base, String path) throws Exception {
        return CLIENT.send(java.net.http.HttpRequest.newBuilder(base.resolve(path))
                .timeout(java.time.Duration.ofSeconds(10)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** POST a JSON {@code body} to {@code path} of {@code base}, with a Bearer {@code token} unless null. */
    static java.net.http.HttpResponse<String> post(java.net.URI base, String path, String body, String token)
            throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(base.resolve(path))
                .timeout(java.time.Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** What answers a conference request body, over the harness or a process. */
    interface Poster {
        int post(String body) throws Exception;
    }

    /** Fills {@code room}'s main room with the reference limit's joins, sessions {@code prefix0…}, each a 200. */
    static void fillRoom(Poster poster, String room, String prefix) throws Exception {
        for (int i = 0; i < MAX_PARTICIPANTS; i++) {
            assertEquals(200, poster.post(HttpHarness.webClientBody(room, prefix + i)), "join " + i);
        }
    }

    /** Polls {@code condition} every 50 ms for up to {@code seconds}; fails naming {@code what}. */
    static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for: " + what);
    }
}

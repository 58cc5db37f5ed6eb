package io.confgate.admission.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.confgate.admission.AdmissionEngine;
import io.confgate.admission.http.HttpSettings;
import io.confgate.admission.server.AdmissionServer;
import io.confgate.admission.server.ServerSettings;
import io.confgate.admission.testing.Concurrently;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A real server on a free loopback port and a real HTTP client. */
final class HttpHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final AdmissionServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private HttpHarness(AdmissionServer server) {
        this.server = server;
    }

    /** The embedded reference deployment on a free port. */
    /**
     * The embedded reference deployment on a free port, kept in memory (tests that restart pass a store of
     * their own), with a per-client limit high enough for tests that are one client making many calls.
     */
    static ServerSettings embedded() {
        ServerSettings s = ServerSettings.load(Optional.empty()).withPort(0);
        return s.withOperation(s.operation().withStorePath(Optional.empty()).withDrainDelay(java.time.Duration.ZERO))
                .withHttp(s.http().withClients(new HttpSettings.ClientLimits(100_000, 10_000, java.util.List.of())));
    }

    static HttpHarness start(ServerSettings settings) throws Exception {
        return new HttpHarness(AdmissionServer.start(settings));
    }

    static HttpHarness start(ServerSettings settings, AdmissionEngine engine) throws Exception {
        return new HttpHarness(AdmissionServer.start(settings, engine));
    }

    URI uri(String path) {
        return server.uri().resolve(path);
    }

    HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return send(json("/conference-request/v1", body).build());
    }

    HttpRequest.Builder json(String path, String body) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode parse(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** The body a Jitsi Meet web client sends: properties of mixed types. */
    static String webClientBody(String room, String session) {
        return """
                {"room":"%s","sessionId":"%s","machineUid":"mu-%s",
                 "properties":{"rtcstatsEnabled":false,"visitors-version":1,"startAudioMuted":9,
                               "startVideoMuted":9,"disableFocus":false,"visitor":false}}
                """.formatted(room, session, session);
    }

    /** Runs {@code task(i)} for i in [0, count) on {@code threads} client threads released together. */
    static void parallel(int threads, int count, Concurrently.IntTask task) throws Exception {
        Concurrently.run(threads, count, 5, task);
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}

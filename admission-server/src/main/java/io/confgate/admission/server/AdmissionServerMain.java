package io.confgate.admission.server;

import io.confgate.admission.core.StoreUnavailableException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * Runs the standalone server. The configuration file comes from {@code --config PATH} or the
 * {@code ADMISSION_CONFIG} environment variable; with neither, the embedded reference deployment runs
 * (8 visitor nodes, 30 main participants, on 127.0.0.1:8888).
 *
 * <p>With {@code --health-check} it is instead a container health probe: it reads the same configuration, asks the
 * server on this host for {@code /about/health} and exits 0 on 200, 1 otherwise (draining, down, not answering
 * within 2 s). Jib images have no {@code HEALTHCHECK}, so orchestrators (ECS, Compose) run this command.
 */
public final class AdmissionServerMain {
    private AdmissionServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Optional<Path> config;
        try {
            config = configPath(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: admission-server [--config PATH] [--port N] [--health-check]");
            System.exit(2);
            return;
        }
        ServerSettings settings;
        try {
            settings = ServerSettings.load(config);
            Optional<Integer> port = portOverride(args);
            if (port.isPresent()) {
                settings = settings.withPort(port.get());
            }
        } catch (IllegalArgumentException e) {
            System.err.println("Cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (Arrays.asList(args).contains("--health-check")) {
            System.exit(healthy(settings.rest().port()) ? 0 : 1);
            return;
        }
        AdmissionServer server;
        try {
            server = AdmissionServer.start(settings);
        } catch (StoreUnavailableException e) {
            // A store another process holds, or a directory that cannot be written: starting without it would
            // lose every room it keeps, so this is a refusal, in one line (no stack trace).
            System.err.println("Cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        // SIGTERM (a container stop): drain, then exit; see AdmissionServer.close.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("Shutdown did not finish cleanly: " + e);
            }
        }, "admission-shutdown"));
        System.out.println("Admission server listening on " + server.uri()
                + " (" + config.map(p -> "config " + p).orElse("embedded reference deployment") + ": "
                + settings.admission().nodes().size() + " visitor nodes, max-participants "
                + settings.admission().maxParticipants() + ")");
        System.out.println("Try: curl -s -X POST " + server.uri() + "/conference-request/v1 "
                + "-H 'Content-Type: application/json' "
                + "-d '{\"room\":\"demo@conference.meet.jitsi\",\"properties\":{\"visitors-version\":1}}'");
        System.out.println(settings.xmpp().map(x -> "XMPP signaling on: main " + x.main() + ", "
                + x.nodes().size() + " node connections, visitors component "
                + x.visitorsComponent().map(Object::toString).orElse("discovered from " + x.main().xmppDomain()))
                .orElse("XMPP signaling off (admission.xmpp.enabled = false): HTTP only"));
        server.developmentModeratorToken().ifPresent(token -> System.out.println(
                "Development moderator token (valid for this run only; never use in production):\n  " + token));
        server.join();
    }

    static Optional<Path> configPath(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                if (i + 1 >= args.length || args[i + 1].isBlank()) {
                    throw new IllegalArgumentException("--config needs a file path");
                }
                return Optional.of(Path.of(args[i + 1]));
            }
        }
        String env = System.getenv("ADMISSION_CONFIG");
        return env == null || env.isBlank() ? Optional.empty() : Optional.of(Path.of(env));
    }

    /** The probe: loopback, since the server binds either loopback or all interfaces. */
    static boolean healthy(int port) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<Void> answer = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/about/health")).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            System.out.println("/about/health: " + answer.statusCode());
            return answer.statusCode() == 200;
        } catch (Exception e) {
            System.out.println("/about/health: " + e);
            return false;
        }
    }

    static Optional<Integer> portOverride(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port")) {
                try {
                    return Optional.of(Integer.parseInt(args[i + 1]));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("--port needs a number from 0 to 65535");
                }
            }
        }
        return Optional.empty();
    }
}

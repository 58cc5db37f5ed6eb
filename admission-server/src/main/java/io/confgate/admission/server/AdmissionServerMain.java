package io.confgate.admission.server;

import io.confgate.admission.core.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the standalone server. The configuration file comes from {@code --config PATH} or the
 * {@code ADMISSION_CONFIG} environment variable; with neither, the embedded reference deployment runs
 * (8 visitor nodes, 30 main participants, on 127.0.0.1:8888).
 *
 * <p>With {@code --health-check} it is instead a container health probe: it reads the same configuration, asks the
 * server on this host for {@code /about/health} and exits 0 on 200, 1 otherwise (draining, down, not answering
 * within 2 s). Jib images have no {@code HEALTHCHECK}, so orchestrators (ECS, Compose) run this command.
 *
 * <p>Exit statuses: 0 after {@code --help}, {@code --version} or a graceful stop (SIGTERM); 2 for a wrong command
 * line or a start that cannot happen (configuration invalid, port in use, store held by another process or not
 * writable), each said in one line without a stack trace.
 */
public final class AdmissionServerMain {
    private static final String USAGE = """
            usage: admission-server [--config PATH] [--port N] [--health-check] [--help] [--version]
              --config PATH    a jicofo.conf-style HOCON file (also ADMISSION_CONFIG); without one, the embedded
                               reference deployment runs on 127.0.0.1:8888
              --port N         the HTTP port, over jicofo.rest.port (0: any free port)
              --health-check   ask the server on this host for /about/health: exit 0 on 200, 1 otherwise
              --help           this text
              --version        the version""";

    private AdmissionServerMain() {
    }

    /** What the command line asks for. */
    record Command(Optional<Path> config, Optional<Integer> port, boolean healthCheck, boolean help, boolean version) {
    }

    public static void main(String[] args) throws Exception {
        Command command;
        try {
            command = parse(args, Optional.ofNullable(System.getenv("ADMISSION_CONFIG")));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (command.help()) {
            System.out.println(USAGE);
            return;
        }
        if (command.version()) {
            System.out.println("admission-server " + version());
            return;
        }
        ServerSettings settings;
        try {
            if (command.config().isPresent() && !Files.isReadable(command.config().get())) {
                throw new IllegalArgumentException("the configuration file " + command.config().get()
                        + " does not exist or cannot be read");
            }
            settings = ServerSettings.load(command.config());
            if (command.port().isPresent()) {
                settings = settings.withPort(command.port().get());
            }
        } catch (IllegalArgumentException e) {
            System.err.println("Cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (command.healthCheck()) {
            System.exit(healthy(probeHost(settings.rest().host()), settings.rest().port()) ? 0 : 1);
            return;
        }
        // Smack (and any library on java.util.logging) logs through SLF4J, in the server's format.
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        AdmissionServer server;
        try {
            server = AdmissionServer.start(settings);
        } catch (Exception e) {
            // A start that cannot happen is said in one line, with what to do, and exit 2: no stack trace, and a
            // supervisor sees a configuration problem, not a crash.
            System.err.println("Cannot start: " + startFailure(e, settings));
            System.exit(2);
            return;
        }
        Logger log = LoggerFactory.getLogger(AdmissionServerMain.class);
        // SIGTERM (a container stop): drain, then exit 0 (a graceful stop is a success to systemd and the
        // container runtime); see AdmissionServer.close. halt: the JVM would otherwise exit 143 after the hooks.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long start = System.nanoTime();
            try {
                server.close();
                log.info("Stopped in {} ms", (System.nanoTime() - start) / 1_000_000);
            } catch (Exception e) {
                log.error("The stop did not finish cleanly: {}", e.toString());
                Runtime.getRuntime().halt(1);
            }
            Runtime.getRuntime().halt(0);
        }, "admission-shutdown"));
        System.out.println("Admission server " + version() + " listening on " + server.boundAddress()
                + " (" + command.config().map(p -> "config " + p).orElse("embedded reference deployment") + ": "
                + settings.admission().nodes().size() + " visitor nodes, max-participants "
                + settings.admission().maxParticipants() + ")");
        System.out.println("Try: curl -s -X POST '" + server.uri() + "/conference-request/v1?room=demo' "
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

    /** Reads the command line; {@code env} is {@code ADMISSION_CONFIG}. */
    static Command parse(String[] args, Optional<String> env) {
        Optional<Path> config = Optional.empty();
        Optional<Integer> port = Optional.empty();
        boolean healthCheck = false;
        boolean help = false;
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            Optional<String> inline = arg.contains("=") ? Optional.of(arg.substring(arg.indexOf('=') + 1))
                    : Optional.empty();
            String next = i + 1 < args.length ? args[i + 1] : "";
            switch (name) {
                case "--config" -> {
                    String value = inline.orElse(next);
                    if (inline.isEmpty()) {
                        i++;
                    }
                    if (value.isBlank() || value.startsWith("--")) {
                        throw new IllegalArgumentException("--config needs a file path");
                    }
                    config = Optional.of(Path.of(value));
                }
                case "--port" -> {
                    String value = inline.orElse(next);
                    if (inline.isEmpty()) {
                        i++;
                    }
                    try {
                        int p = Integer.parseInt(value);
                        if (p < 0 || p > 65_535) {
                            throw new NumberFormatException();
                        }
                        port = Optional.of(p);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port needs a number from 0 to 65535, not '" + value
                                + "'");
                    }
                }
                case "--health-check" -> healthCheck = true;
                case "--help", "-h" -> help = true;
                case "--version" -> version = true;
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
            if (inline.isPresent() && !(name.equals("--config") || name.equals("--port"))) {
                throw new IllegalArgumentException(name + " takes no value");
            }
        }
        if (config.isEmpty()) {
            config = env.filter(v -> !v.isBlank()).map(Path::of);
        }
        return new Command(config, port, healthCheck, help, version);
    }

    /** One line for a start that failed: what happened and what to do. */
    static String startFailure(Exception e, ServerSettings settings) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StoreUnavailableException store) {
                return store.getMessage();
            }
            if (t instanceof BindException) {
                return "cannot listen on " + settings.rest().host() + ":" + settings.rest().port() + " ("
                        + t.getMessage() + "): another process has the port; stop it, or set jicofo.rest.port"
                        + " (or --port)";
            }
            if (t instanceof IllegalArgumentException) {
                return t.getMessage();
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return e + (root != e ? " (" + root + ")" : "");
    }

    /** The build's version, from the jar. */
    static String version() {
        try (InputStream in = AdmissionServerMain.class.getResourceAsStream("/admission-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Where the probe asks: the bound address, or loopback when the server binds every interface. */
    static String probeHost(String bound) {
        if (bound.equals("0.0.0.0") || bound.equals("::") || bound.equals("[::]") || bound.isBlank()) {
            return "127.0.0.1";
        }
        return bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound;
    }

    /** The probe of {@code /about/health} on {@code host}. */
    static boolean healthy(String host, int port) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<Void> answer = client.send(HttpRequest.newBuilder(
                    URI.create("http://" + host + ":" + port + "/about/health")).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            System.out.println("/about/health: " + answer.statusCode());
            return answer.statusCode() == 200;
        } catch (Exception e) {
            System.out.println("/about/health: " + e);
            return false;
        }
    }
}
